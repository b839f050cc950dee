package io.drover.agent.cli;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Turns the files named on the command line ({@code --script}, {@code --requirements}) into paths
 * relative to the repository root with '/' separators, which is how the agent finds them in its checkout.
 */
final class ScriptLocator {
    private ScriptLocator() {}

    /**
     * The entry point relative to the working dir {@code dir} (the agent runs it from there, like the
     * user did); {@code script} is relative to {@code dir} or absolute and must be a file inside {@code root}.
     */
    static String entryPoint(Path root, Path dir, String script) {
        Path d = dir.toAbsolutePath().normalize();
        Path f = d.resolve(script).normalize();
        if (!Files.isRegularFile(f)) {
            throw new IllegalArgumentException("--script " + script + ": no such file (looked for " + f
                    + "); give the script's path relative to " + dir);
        }
        relative(root, f, "--script " + script);
        return d.relativize(f).toString().replace('\\', '/');
    }

    /** The working dir: {@code dir} relative to the repository root ({@code "."} for the root itself). */
    static String workingDir(Path root, Path dir) {
        String rel = relative(root, dir.toAbsolutePath().normalize(), "the submitted directory");
        return rel.isEmpty() ? "." : rel;
    }

    /**
     * The requirements file: as given, looked up relative to {@code dir} and then to the repository
     * root; without one, {@code requirements.txt} in {@code dir} if there is one; else null.
     */
    static String requirements(Path root, Path dir, String given) {
        Path d = dir.toAbsolutePath().normalize();
        if (given == null) {
            Path def = d.resolve("requirements.txt");
            return Files.isRegularFile(def) ? relative(root, def, "requirements.txt") : null;
        }
        for (Path base : new Path[] {d, root}) {
            Path f = base.resolve(given).normalize();
            if (Files.isRegularFile(f)) return relative(root, f, "--requirements " + given);
        }
        throw new IllegalArgumentException("--requirements " + given + ": no such file in " + d
                + " or in the repository root " + root);
    }

    private static String relative(Path root, Path file, String what) {
        Path real = file.toAbsolutePath().normalize();
        if (!real.startsWith(root)) {
            throw new IllegalArgumentException(what + " is outside the git repository " + root
                    + "; the agent only gets the repository's files");
        }
        return root.relativize(real).toString().replace('\\', '/');
    }
}

package io.drover.agent.env;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.function.Function;

/**
 * Finds build tools ({@code uv}, {@code poetry}, {@code conda}, {@code python3.10}) on a PATH.
 * Tests hand in their own lookup to play a machine with or without a tool.
 */
public final class Tools {
    private final Function<String, Optional<Path>> lookup;

    public Tools(Function<String, Optional<Path>> lookup) {
        this.lookup = lookup;
    }

    /** Looks on the agent's own PATH. */
    public static Tools fromPath() {
        return onPath(System.getenv("PATH"));
    }

    public static Tools onPath(String path) {
        return new Tools(name -> {
            if (path == null) return Optional.empty();
            for (String d : path.split(File.pathSeparator)) {
                if (d.isEmpty()) continue;
                Path p = Path.of(d).resolve(name);
                if (Files.isRegularFile(p) && Files.isExecutable(p)) return Optional.of(p);
            }
            return Optional.empty();
        });
    }

    public Optional<Path> find(String name) {
        return lookup.apply(name);
    }

    /** The first of {@code names} that exists. */
    public Optional<Path> first(String... names) {
        for (String n : names) {
            Optional<Path> p = find(n);
            if (p.isPresent()) return p;
        }
        return Optional.empty();
    }
}

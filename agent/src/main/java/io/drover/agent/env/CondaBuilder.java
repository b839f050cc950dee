package io.drover.agent.env;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * A conda environment from {@code environment.yml}, made with conda, mamba or micromamba (the
 * first found) as a prefix environment in the cached directory. Python comes from the file.
 */
public final class CondaBuilder implements EnvironmentBuilder {
    private final Path tool;
    private final Map<String, String> extraEnv;

    public CondaBuilder(Path tool, Map<String, String> extraEnv) {
        this.tool = tool;
        this.extraEnv = Map.copyOf(extraEnv);
    }

    private boolean micromamba() {
        return tool.getFileName().toString().startsWith("micromamba");
    }

    @Override
    public String manager() {
        return "conda";
    }

    @Override
    public String pythonKey(EnvironmentSpec spec) {
        return "conda:" + (spec.python() == null ? "environment.yml" : spec.python());
    }

    @Override
    public void build(EnvironmentSpec spec, Path dir, Consumer<String> log) throws EnvBuildException, InterruptedException {
        Path project = ProjectFiles.copy(spec, dir.resolveSibling(dir.getFileName() + ".project"));
        String yml = spec.files().containsKey("environment.yml") ? "environment.yml" : "environment.yaml";
        try {
            // conda wants to create the prefix itself
            Files.deleteIfExists(dir);
        } catch (IOException e) {
            throw new EnvBuildException("cannot prepare " + dir + " for conda: " + e.getMessage(), e);
        }
        if (spec.python() != null) log.accept("conda takes the Python version from " + yml + " (the task asked for " + spec.python() + ")");
        List<String> cmd = micromamba()
                ? List.of(tool.toString(), "create", "--yes", "--prefix", dir.toString(), "--file", project.resolve(yml).toString())
                : List.of(tool.toString(), "env", "create", "--prefix", dir.toString(), "--file", project.resolve(yml).toString());
        log.accept("$ " + tool.getFileName() + " " + String.join(" ", cmd.subList(1, cmd.size() - 1)) + " " + yml);
        try {
            CommandRunner.check(cmd, project, extraEnv, log, tool.getFileName() + " could not create the environment from " + yml);
            ProjectFiles.copy(spec, dir); // keep the inputs with the environment, as the other managers do
        } finally {
            try {
                io.drover.agent.capture.OutputFiles.deleteTree(project.getParent());
            } catch (IOException ignored) {
                // a leftover copy of the inputs is harmless
            }
        }
    }

    /** {@code conda list --export} (name=version=build, what {@code conda create --file} takes back). */
    @Override
    public List<String> freeze(Path dir) throws EnvBuildException, InterruptedException {
        CommandRunner.Result r = CommandRunner.exec(List.of(tool.toString(), "list", "--prefix", dir.toString(), "--export"),
                null, extraEnv, null);
        List<String> lines = r.exitCode() == 0 ? Freeze.lines(r) : List.of();
        return lines.isEmpty() ? Freeze.of(python(dir)) : lines;
    }
}

package io.drover.agent.env;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * A venv made and filled by uv: {@code uv venv} then {@code uv pip install -r}, or, for a project
 * with {@code uv.lock}, {@code uv sync --frozen} into the cached directory. A task asking for a
 * Python version gets it through {@code uv venv --python X} (uv may fetch it); otherwise the
 * agent's interpreter is used, so pip and uv environments of one task match.
 */
public final class UvBuilder implements EnvironmentBuilder {
    private final Path uv;
    private final String systemPython;
    private final Map<String, String> extraEnv;

    public UvBuilder(Path uv, String systemPython, Map<String, String> extraEnv) {
        this.uv = uv;
        this.systemPython = systemPython;
        HashMap<String, String> env = new HashMap<>(extraEnv);
        // pip's index setting (the agent's, or a test's mirror) means the same to uv
        String pipIndex = env.containsKey("PIP_INDEX_URL") ? env.get("PIP_INDEX_URL") : System.getenv("PIP_INDEX_URL");
        if (pipIndex != null && !env.containsKey("UV_INDEX_URL") && System.getenv("UV_INDEX_URL") == null) {
            env.put("UV_INDEX_URL", pipIndex);
        }
        env.putIfAbsent("UV_NO_PROGRESS", "1");
        this.extraEnv = Map.copyOf(env);
    }

    @Override
    public String manager() {
        return "uv";
    }

    @Override
    public String pythonKey(EnvironmentSpec spec) throws EnvBuildException, InterruptedException {
        return spec.python() == null ? PythonInfo.version(systemPython) : "uv:" + spec.python();
    }

    @Override
    public void build(EnvironmentSpec spec, Path dir, Consumer<String> log) throws EnvBuildException, InterruptedException {
        String python = spec.python() == null ? systemPython : spec.python();
        if (spec.files().containsKey("uv.lock")) {
            sync(spec, dir, python, log);
            return;
        }
        log.accept("$ uv venv --python " + python + " " + dir.getFileName());
        CommandRunner.check(List.of(uv.toString(), "venv", "--allow-existing", "--python", python, dir.toString()), dir, extraEnv, log,
                "uv venv failed");
        if (!spec.hasRequirements()) return;
        Path req = PipVenvBuilder.writeRequirements(spec, dir);
        log.accept("$ uv pip install -r " + spec.requirementsName());
        CommandRunner.check(List.of(uv.toString(), "pip", "install", "--python", python(dir).toString(), "-r", req.toString()),
                dir, extraEnv, log, "uv pip install -r " + spec.requirementsName() + " failed");
    }

    /** {@code uv sync --frozen} of a copy of the project files, into the cached directory. */
    private void sync(EnvironmentSpec spec, Path dir, String python, Consumer<String> log)
            throws EnvBuildException, InterruptedException {
        Path project = ProjectFiles.copy(spec, dir);
        Map<String, String> env = new HashMap<>(extraEnv);
        env.put("UV_PROJECT_ENVIRONMENT", dir.toString());
        List<String> cmd = new ArrayList<>(List.of(uv.toString(), "sync", "--frozen", "--no-install-project", "--python", python));
        log.accept("$ uv sync --frozen --no-install-project (uv.lock)");
        CommandRunner.check(cmd, project, env, log, "uv sync --frozen failed; is uv.lock up to date with pyproject.toml?");
    }

    /** uv's own freeze is the same as ours; ours needs no pip in the venv either. */
    @Override
    public List<String> freeze(Path dir) throws EnvBuildException, InterruptedException {
        return Freeze.of(python(dir));
    }
}

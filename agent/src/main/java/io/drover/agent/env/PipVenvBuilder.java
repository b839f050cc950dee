package io.drover.agent.env;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * A {@code venv} filled by pip. The venv is made {@code --without-pip} (0.2 s instead of 6–7 s)
 * and the system pip installs into it with {@code --python} (pip ≥ 22.3); when that pip is too
 * old or missing, the venv gets its own pip and installs with that. The agent's environment
 * (PIP_INDEX_URL, proxies, …) is inherited as it is.
 */
public final class PipVenvBuilder implements EnvironmentBuilder {
    private final String systemPython;
    private final Map<String, String> extraEnv;

    public PipVenvBuilder(String systemPython) {
        this(systemPython, Map.of());
    }

    /**
     * @param systemPython the interpreter the venv is made from (the agent's, or the python3.X a task asked for)
     * @param extraEnv     added to the agent's own environment for pip (tests point it at a local index)
     */
    public PipVenvBuilder(String systemPython, Map<String, String> extraEnv) {
        this.systemPython = systemPython;
        this.extraEnv = buildEnv(extraEnv);
    }

    static Map<String, String> buildEnv(Map<String, String> extraEnv) {
        HashMap<String, String> env = new HashMap<>(extraEnv);
        // PIP_REQUIRE_VIRTUALENV would make the system pip refuse to run at all; the target is a venv
        env.putIfAbsent("PIP_REQUIRE_VIRTUALENV", "false");
        return Map.copyOf(env);
    }

    @Override
    public String manager() {
        return "pip";
    }

    @Override
    public String pythonKey(EnvironmentSpec spec) throws EnvBuildException, InterruptedException {
        return PythonInfo.version(systemPython);
    }

    @Override
    public void build(EnvironmentSpec spec, Path dir, Consumer<String> log) throws EnvBuildException, InterruptedException {
        createVenv(systemPython, dir, extraEnv, log);
        if (spec.hasRequirements()) install(spec, dir, log);
    }

    static void createVenv(String python, Path dir, Map<String, String> env, Consumer<String> log)
            throws EnvBuildException, InterruptedException {
        log.accept("$ " + python + " -m venv --without-pip " + dir.getFileName());
        CommandRunner.check(List.of(python, "-m", "venv", "--without-pip", dir.toString()), dir, env, log,
                "cannot create a venv with " + python);
    }

    /** pip-installs the spec's requirements into the venv at {@code dir}. */
    void install(EnvironmentSpec spec, Path dir, Consumer<String> log) throws EnvBuildException, InterruptedException {
        Path req = writeRequirements(spec, dir);
        String venvPython = python(dir).toString();
        log.accept("$ pip install -r " + spec.requirementsName());
        CommandRunner.Result viaSystemPip = CommandRunner.exec(List.of(systemPython, "-m", "pip", "--python", venvPython,
                "install", "--disable-pip-version-check", "-r", req.toString()), dir, extraEnv, log);
        if (viaSystemPip.exitCode() == 0) return;
        if (!systemPipUnusable(viaSystemPip)) {
            throw new EnvBuildException("pip install -r " + spec.requirementsName() + " failed (exit "
                    + viaSystemPip.exitCode() + "): " + viaSystemPip.tail(5));
        }
        log.accept("system pip cannot install into the venv; bootstrapping pip inside it");
        CommandRunner.check(List.of(venvPython, "-m", "ensurepip", "--upgrade"), dir, extraEnv, log,
                "cannot bootstrap pip in the venv");
        CommandRunner.check(List.of(venvPython, "-m", "pip", "install", "--disable-pip-version-check", "-r", req.toString()),
                dir, extraEnv, log, "pip install -r " + spec.requirementsName() + " failed");
    }

    /** The requirement lines as a file inside the environment (kept: it shows what the env was built from). */
    static Path writeRequirements(EnvironmentSpec spec, Path dir) throws EnvBuildException {
        Path req = dir.resolve("requirements.drover.txt");
        try {
            Files.writeString(req, spec.requirements());
        } catch (IOException e) {
            throw new EnvBuildException("cannot write " + req + ": " + e.getMessage(), e);
        }
        return req;
    }

    /** An old pip without {@code --python}, or no pip at all: worth the slower fallback. */
    private static boolean systemPipUnusable(CommandRunner.Result r) {
        String out = String.join("\n", r.lines());
        return out.contains("No module named pip") || out.contains("no such option: --python")
                || out.contains("unrecognized arguments: --python");
    }

    /** {@link Freeze}; an old Python without importlib.metadata falls back to {@code pip freeze}. */
    @Override
    public List<String> freeze(Path dir) throws EnvBuildException, InterruptedException {
        List<String> fast = Freeze.of(python(dir));
        if (!fast.isEmpty()) return fast;
        CommandRunner.Result r = CommandRunner.exec(List.of(systemPython, "-m", "pip", "--python", python(dir).toString(),
                "freeze", "--disable-pip-version-check"), dir, extraEnv, null);
        return r.exitCode() != 0 ? List.of() : Freeze.lines(r);
    }
}

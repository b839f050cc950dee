package io.drover.agent.env;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * A venv filled by Poetry from {@code pyproject.toml} + {@code poetry.lock}: we make the venv
 * (from the agent's interpreter or the python3.X the task asked for) and run
 * {@code poetry install --no-root} with it as the active virtualenv, so Poetry installs exactly the
 * locked versions there instead of making its own venv somewhere else. {@code --no-root}: the
 * project's own code runs from the checkout, never from a cached copy. Package sources are the
 * ones the pyproject names (Poetry does not read pip's settings).
 */
public final class PoetryBuilder implements EnvironmentBuilder {
    private final Path poetry;
    private final String systemPython;
    private final Map<String, String> extraEnv;

    public PoetryBuilder(Path poetry, String systemPython, Map<String, String> extraEnv) {
        this.poetry = poetry;
        this.systemPython = systemPython;
        this.extraEnv = PipVenvBuilder.buildEnv(extraEnv);
    }

    @Override
    public String manager() {
        return "poetry";
    }

    @Override
    public String pythonKey(EnvironmentSpec spec) throws EnvBuildException, InterruptedException {
        return PythonInfo.version(systemPython);
    }

    @Override
    public void build(EnvironmentSpec spec, Path dir, Consumer<String> log) throws EnvBuildException, InterruptedException {
        // Poetry 1.x installs with the venv's pip: this venv keeps its pip (unlike pip's --without-pip one)
        log.accept("$ " + systemPython + " -m venv " + dir.getFileName());
        CommandRunner.check(List.of(systemPython, "-m", "venv", dir.toString()), dir, extraEnv, log,
                "cannot create a venv with " + systemPython);
        Path project = ProjectFiles.copy(spec, dir);
        Map<String, String> env = new HashMap<>(extraEnv);
        env.put("VIRTUAL_ENV", dir.toString());
        String path = env.getOrDefault("PATH", System.getenv("PATH"));
        env.put("PATH", dir.resolve("bin") + (path == null ? "" : java.io.File.pathSeparator + path));
        env.put("POETRY_NO_INTERACTION", "1");
        // a headless agent cannot unlock a desktop keyring: Poetry would stop at "Failed to unlock the item!"
        if (System.getenv("PYTHON_KEYRING_BACKEND") == null) env.putIfAbsent("PYTHON_KEYRING_BACKEND", "keyring.backends.null.Keyring");
        env.remove("PYTHONHOME");
        if (!spec.files().containsKey("poetry.lock")) {
            log.accept("no poetry.lock: Poetry resolves the versions now; commit the lock file for repeatable environments");
        }
        log.accept("$ poetry install --no-root");
        CommandRunner.check(List.of(poetry.toString(), "install", "--no-root", "--no-interaction", "--no-ansi"), project, env, log,
                "poetry install failed");
    }
}

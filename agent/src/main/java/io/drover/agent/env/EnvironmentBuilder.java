package io.drover.agent.env;

import java.nio.file.Path;
import java.util.List;
import java.util.function.Consumer;

/**
 * One way of making a Python environment (pip+venv, uv, poetry, conda). {@link EnvironmentCache}
 * decides where and whether to build; a builder only builds in place (environments hard-code
 * their own path) and describes the result. The {@code system} manager builds nothing and is
 * handled by {@link Environments} directly.
 */
public interface EnvironmentBuilder {
    /** Short name of the manager, part of the cache key ({@code pip}, {@code uv}, …). */
    String manager();

    /**
     * The Python part of the cache key: the full version of the interpreter the build will use,
     * or, where the manager fetches its own Python (uv, conda), what was asked of it.
     */
    default String pythonKey(EnvironmentSpec spec) throws EnvBuildException, InterruptedException {
        return spec.python() == null ? "default" : spec.python();
    }

    /** Builds into {@code dir} (which exists and is empty); each output line goes to {@code log}. */
    void build(EnvironmentSpec spec, Path dir, Consumer<String> log) throws EnvBuildException, InterruptedException;

    /** The interpreter of an environment built in {@code dir}. */
    default Path python(Path dir) {
        return dir.resolve("bin").resolve("python");
    }

    /** The installed packages, {@code name==version} per line, as {@code pip freeze} prints them. */
    default List<String> freeze(Path dir) throws EnvBuildException, InterruptedException {
        return Freeze.of(python(dir));
    }
}

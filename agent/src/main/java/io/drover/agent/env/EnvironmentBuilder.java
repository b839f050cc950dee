package io.drover.agent.env;

import java.nio.file.Path;
import java.util.List;
import java.util.function.Consumer;

/**
 * One way of making a Python environment (pip+venv now; uv, conda, poetry and Docker later).
 * {@link EnvironmentCache} decides where and whether to build; a builder only builds in place
 * (environments hard-code their own path) and describes the result.
 */
public interface EnvironmentBuilder {
    /** Short name of the manager, part of the cache key ({@code pip}, {@code uv}, …). */
    String manager();

    /** Builds into {@code dir} (which exists and is empty); each output line goes to {@code log}. */
    void build(EnvironmentSpec spec, Path dir, Consumer<String> log) throws EnvBuildException, InterruptedException;

    /** The interpreter of an environment built in {@code dir}. */
    Path python(Path dir);

    /** The installed packages, {@code name==version} per line, as {@code pip freeze} prints them. */
    List<String> freeze(Path dir) throws EnvBuildException, InterruptedException;
}

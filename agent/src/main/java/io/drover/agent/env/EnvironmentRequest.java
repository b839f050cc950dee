package io.drover.agent.env;

import java.nio.file.Path;
import java.util.Locale;
import java.util.Set;

/**
 * A task's environment as the task JSON states it, with the checked-out code to read files from.
 *
 * @param manager      {@code auto|pip|uv|poetry|conda|system} (null or blank: auto)
 * @param python       Python version asked for ("3.11"), null: the agent's
 * @param repoRoot     the checkout's root
 * @param workDir      the task's working directory inside it (looked at first: a sub-project's files win)
 * @param requirements an explicit requirements file relative to the root or the working dir (script.requirements), or null
 * @param image        Docker image the environment is for (Docker mode), or null
 * @param cudaVersion  CUDA version of the machine, or null
 */
public record EnvironmentRequest(String manager, String python, Path repoRoot, Path workDir, String requirements,
        String image, String cudaVersion) {
    public static final Set<String> MANAGERS = Set.of("auto", "pip", "uv", "poetry", "conda", "system");

    public EnvironmentRequest {
        manager = manager == null || manager.isBlank() ? "auto" : manager.strip().toLowerCase(Locale.ROOT);
        if (python != null && python.isBlank()) python = null;
        if (workDir == null) workDir = repoRoot;
    }
}

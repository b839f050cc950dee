package io.drover.agent.launch;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * What to run: the command (never through a shell), where, with which environment (complete: the
 * caller merges the agent's own environment in), where the supervisor writes its result, and how
 * long a stopped task may take to exit after SIGTERM before SIGKILL.
 */
public record LaunchSpec(List<String> command, Path workingDir, Map<String, String> env, Path resultFile,
        Duration grace) {
    public LaunchSpec {
        command = List.copyOf(command);
        env = Map.copyOf(env);
    }
}

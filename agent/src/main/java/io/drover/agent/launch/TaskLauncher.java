package io.drover.agent.launch;

import java.io.IOException;

/** Starts a task: {@link ProcessLauncher} on this machine, {@code io.drover.agent.docker.ContainerLauncher} in a container. */
@FunctionalInterface
public interface TaskLauncher {
    TaskProcess start(LaunchSpec spec) throws IOException;
}

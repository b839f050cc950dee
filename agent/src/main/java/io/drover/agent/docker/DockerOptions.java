package io.drover.agent.docker;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Option;

/** The {@code drover agent --docker-*} flags (a picocli mixin). */
public final class DockerOptions {
    @Option(names = "--docker-image", paramLabel = "IMAGE",
            description = "Run tasks that name no image in a container of this one (default: such tasks run as processes).")
    String image;

    @Option(names = "--docker-host", paramLabel = "URL",
            description = "Docker Engine API for Docker mode (default: $DOCKER_HOST, else unix:///var/run/docker.sock).")
    String host;

    @Option(names = "--docker-memory", paramLabel = "SIZE", description = "Memory limit of each task container, e.g. 16g (default: none).")
    String memory;

    @Option(names = "--docker-cpus", paramLabel = "N", description = "CPU limit of each task container, e.g. 4 or 1.5 (default: none).")
    Double cpus;

    @Option(names = "--docker-volume-prefix", paramLabel = "DIR",
            description = "Host folder under which tasks may mount --volume container args; repeatable (default: none).")
    List<Path> volumePrefixes = new ArrayList<>();

    @Option(names = "--docker-network", paramLabel = "MODE", defaultValue = "host",
            description = "Network of task containers (default: ${DEFAULT-VALUE}: tasks reach the controller at the agent's URL).")
    String network;

    /** The settings; throws IllegalArgumentException with the flag's name on a bad value. */
    public DockerSettings settings() {
        return new DockerSettings(image, host, memory == null ? null : Sizes.parse(memory, "--docker-memory"), cpus,
                volumePrefixes, network);
    }
}

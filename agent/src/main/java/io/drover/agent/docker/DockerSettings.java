package io.drover.agent.docker;

import java.nio.file.Path;
import java.util.List;

/**
 * The agent's Docker-mode settings ({@code drover agent --docker-*} flags).
 *
 * @param defaultImage   image for tasks that name none; null: such tasks run as plain processes
 * @param dockerHost     Engine API address ({@code unix:///var/run/docker.sock}, {@code tcp://…});
 *                       null: {@code $DOCKER_HOST}, else the default socket
 * @param memoryBytes    memory limit of every task container; null: none
 * @param cpus           CPU limit of every task container (1.5 = one and a half cores); null: none
 * @param volumePrefixes host folders under which a task's {@code --volume} may mount; empty: none
 * @param network        network mode of task containers; {@code host} by default, so a task reaches
 *                       the controller at the same URL as the agent
 */
public record DockerSettings(String defaultImage, String dockerHost, Long memoryBytes, Double cpus,
        List<Path> volumePrefixes, String network) {
    public DockerSettings {
        if (defaultImage != null && defaultImage.isBlank()) defaultImage = null;
        if (dockerHost != null && dockerHost.isBlank()) dockerHost = null;
        if (memoryBytes != null && memoryBytes <= 0) throw new IllegalArgumentException("--docker-memory must be above zero");
        if (cpus != null && cpus <= 0) throw new IllegalArgumentException("--docker-cpus must be above zero");
        volumePrefixes = volumePrefixes == null ? List.of()
                : volumePrefixes.stream().map(p -> p.toAbsolutePath().normalize()).toList();
        if (network == null || network.isBlank()) network = "host";
    }

    /** No default image, no limits: tasks use Docker only when they name an image. */
    public static DockerSettings defaults() {
        return new DockerSettings(null, null, null, null, List.of(), null);
    }

    public DockerSettings withDefaultImage(String image) {
        return new DockerSettings(image, dockerHost, memoryBytes, cpus, volumePrefixes, network);
    }

    public DockerSettings withDockerHost(String host) {
        return new DockerSettings(defaultImage, host, memoryBytes, cpus, volumePrefixes, network);
    }

    public DockerSettings withLimits(Long memory, Double cpuLimit) {
        return new DockerSettings(defaultImage, dockerHost, memory, cpuLimit, volumePrefixes, network);
    }

    public DockerSettings withVolumePrefixes(List<Path> prefixes) {
        return new DockerSettings(defaultImage, dockerHost, memoryBytes, cpus, prefixes, network);
    }
}

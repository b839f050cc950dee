package io.drover.agent.launch;

/**
 * How a task process ended. {@code exitCode} is 128+N when it died of signal N;
 * peaks are null when the supervisor itself was killed and could not measure them.
 */
public record RunResult(int exitCode, Integer signal, Long maxRssKb, Double cpuSeconds) {}

package io.drover.agent;

import io.drover.agent.config.ClientConfig;
import io.drover.agent.docker.DockerSettings;
import io.drover.agent.env.EnvCacheConfig;
import io.drover.agent.spool.SpoolConfig;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * Everything an agent needs, resolved (flags ← environment ← ~/.drover/config.json ← defaults by
 * {@link AgentCommand}; tests build it directly).
 *
 * @param controllerUrl    controller base URL, e.g. {@code http://127.0.0.1:8080}
 * @param queues           queues to take work from, first = most important (default {@code default})
 * @param orderFairness    take the queues round-robin instead of in order
 * @param name             worker name, unique per agent (default hostname + a suffix from the work dir)
 * @param workDir          repos, environments, slots and task files live here (default ~/.drover/agent)
 * @param drainOnStop      on stop, let the running task finish instead of aborting and requeueing it
 * @param python           system interpreter that builds venvs and runs the supervisor (default python3)
 * @param grace            time between SIGTERM and SIGKILL when a task is stopped (default 10 s)
 * @param claimWaitSeconds long-poll duration of one claim request (default 20, server max 30)
 * @param buildEnv         variables added to the agent's own environment for environment builds
 *                         only (tests point pip at a local mirror; production leaves it empty and
 *                         pip reads the agent's environment and pip.conf)
 * @param apiKey           the worker key sent as {@code Authorization: Bearer}, or null when the
 *                         controller runs without auth (resolved by {@code ClientConfig.agentKey})
 * @param envCache         environment cache limits (--env-cache-max, --env-cache-min-free-mb)
 * @param docker           Docker mode (--docker-image, --docker-host, limits, volume prefixes)
 * @param spool            where undeliverable logs wait during an outage (--spool-dir, --spool-max-mb)
 */
public record AgentConfig(String controllerUrl, List<String> queues, boolean orderFairness, String name,
        Path workDir, boolean drainOnStop, String python, Duration grace, int claimWaitSeconds,
        Map<String, String> buildEnv, String apiKey, EnvCacheConfig envCache, DockerSettings docker, SpoolConfig spool) {

    public AgentConfig {
        if (controllerUrl == null || controllerUrl.isBlank()) {
            throw new IllegalArgumentException("no controller URL: pass --controller URL, set DROVER_CONTROLLER,"
                    + " or start one with 'drover up' (it writes ~/.drover/config.json)");
        }
        queues = queues == null || queues.isEmpty() ? List.of("default") : List.copyOf(queues);
        if (workDir == null) workDir = ClientConfig.home(System.getenv()).resolve("agent");
        workDir = workDir.toAbsolutePath().normalize();
        if (name == null || name.isBlank()) name = AgentNames.defaultName(workDir);
        if (python == null || python.isBlank()) python = "python3";
        if (grace == null) grace = Duration.ofSeconds(10);
        if (claimWaitSeconds <= 0) claimWaitSeconds = 20;
        buildEnv = buildEnv == null ? Map.of() : Map.copyOf(buildEnv);
        if (apiKey != null && apiKey.isBlank()) apiKey = null;
        if (envCache == null) envCache = EnvCacheConfig.defaults();
        if (docker == null) docker = DockerSettings.defaults();
        if (spool == null) spool = SpoolConfig.defaults();
    }

    /** Default spool settings. */
    public AgentConfig(String controllerUrl, List<String> queues, boolean orderFairness, String name,
            Path workDir, boolean drainOnStop, String python, Duration grace, int claimWaitSeconds,
            Map<String, String> buildEnv, String apiKey, EnvCacheConfig envCache, DockerSettings docker) {
        this(controllerUrl, queues, orderFairness, name, workDir, drainOnStop, python, grace, claimWaitSeconds, buildEnv, apiKey,
                envCache, docker, null);
    }

    /** No Docker mode settings (tasks use Docker only when they name an image). */
    public AgentConfig(String controllerUrl, List<String> queues, boolean orderFairness, String name,
            Path workDir, boolean drainOnStop, String python, Duration grace, int claimWaitSeconds,
            Map<String, String> buildEnv, String apiKey, EnvCacheConfig envCache) {
        this(controllerUrl, queues, orderFairness, name, workDir, drainOnStop, python, grace, claimWaitSeconds, buildEnv, apiKey,
                envCache, null);
    }

    /** Default environment cache limits. */
    public AgentConfig(String controllerUrl, List<String> queues, boolean orderFairness, String name,
            Path workDir, boolean drainOnStop, String python, Duration grace, int claimWaitSeconds,
            Map<String, String> buildEnv, String apiKey) {
        this(controllerUrl, queues, orderFairness, name, workDir, drainOnStop, python, grace, claimWaitSeconds, buildEnv, apiKey, null);
    }

    /** Defaults for everything but the controller. */
    public static AgentConfig of(String controllerUrl, Path workDir) {
        return new AgentConfig(controllerUrl, List.of("default"), false, null, workDir, false, "python3",
                Duration.ofSeconds(10), 20, Map.of(), null, null);
    }

    public AgentConfig withQueues(List<String> q) {
        return new AgentConfig(controllerUrl, q, orderFairness, name, workDir, drainOnStop, python, grace, claimWaitSeconds, buildEnv, apiKey, envCache, docker, spool);
    }

    public AgentConfig withName(String n) {
        return new AgentConfig(controllerUrl, queues, orderFairness, n, workDir, drainOnStop, python, grace, claimWaitSeconds, buildEnv, apiKey, envCache, docker, spool);
    }

    public AgentConfig withGrace(Duration g) {
        return new AgentConfig(controllerUrl, queues, orderFairness, name, workDir, drainOnStop, python, g, claimWaitSeconds, buildEnv, apiKey, envCache, docker, spool);
    }

    public AgentConfig withDrainOnStop(boolean d) {
        return new AgentConfig(controllerUrl, queues, orderFairness, name, workDir, d, python, grace, claimWaitSeconds, buildEnv, apiKey, envCache, docker, spool);
    }

    public AgentConfig withBuildEnv(Map<String, String> e) {
        return new AgentConfig(controllerUrl, queues, orderFairness, name, workDir, drainOnStop, python, grace, claimWaitSeconds, e, apiKey, envCache, docker, spool);
    }

    public AgentConfig withClaimWaitSeconds(int s) {
        return new AgentConfig(controllerUrl, queues, orderFairness, name, workDir, drainOnStop, python, grace, s, buildEnv, apiKey, envCache, docker, spool);
    }

    public AgentConfig withOrderFairness(boolean f) {
        return new AgentConfig(controllerUrl, queues, f, name, workDir, drainOnStop, python, grace, claimWaitSeconds, buildEnv, apiKey, envCache, docker, spool);
    }

    public AgentConfig withApiKey(String k) {
        return new AgentConfig(controllerUrl, queues, orderFairness, name, workDir, drainOnStop, python, grace, claimWaitSeconds, buildEnv, k, envCache, docker, spool);
    }

    public AgentConfig withEnvCache(EnvCacheConfig c) {
        return new AgentConfig(controllerUrl, queues, orderFairness, name, workDir, drainOnStop, python, grace, claimWaitSeconds, buildEnv, apiKey, c, docker, spool);
    }

    public AgentConfig withDocker(DockerSettings d) {
        return new AgentConfig(controllerUrl, queues, orderFairness, name, workDir, drainOnStop, python, grace, claimWaitSeconds, buildEnv, apiKey, envCache, d, spool);
    }

    public AgentConfig withSpool(SpoolConfig sp) {
        return new AgentConfig(controllerUrl, queues, orderFairness, name, workDir, drainOnStop, python, grace, claimWaitSeconds, buildEnv, apiKey, envCache, docker, sp);
    }

    /** Never prints the key itself. */
    @Override
    public String toString() {
        return "AgentConfig[controller=" + controllerUrl + ", queues=" + queues + ", name=" + name + ", workDir=" + workDir
                + ", apiKey=" + (apiKey == null ? "none" : "***") + "]";
    }

    public Path reposDir() {
        return workDir.resolve("repos");
    }

    public Path envsDir() {
        return workDir.resolve("envs");
    }

    public Path slotsDir() {
        return workDir.resolve("slots");
    }

    public Path tasksDir() {
        return workDir.resolve("tasks");
    }

    public Path hooksDir() {
        return workDir.resolve("hooks");
    }

    /** This agent's log spool: one directory per running task under it (never shared with another agent). */
    public Path spoolDir() {
        return spool.dirUnder(workDir).resolve(name);
    }
}

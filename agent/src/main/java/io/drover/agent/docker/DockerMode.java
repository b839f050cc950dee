package io.drover.agent.docker;

import com.fasterxml.jackson.databind.JsonNode;
import io.drover.agent.env.EnvironmentCache;
import java.util.Map;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The agent's Docker mode: decides per task whether it runs in a container and prepares that
 * (image, environment, launcher). Connects to the engine only when a task needs it, or to clear
 * the containers a crashed run of this agent left behind.
 */
public final class DockerMode {
    private static final Logger LOG = LoggerFactory.getLogger(DockerMode.class);
    /** Logs each retried request at INFO ("recoverable I/O exception ... will be automatically re-executed"). */
    static final String RETRY_LOGGER = "org.apache.hc.client5.http.impl.classic.HttpRequestRetryExec";

    static {
        // Set before docker-java's HTTP client makes its loggers (the level is fixed then); a level
        // the user set on the command line wins. Our own messages say when the engine cannot be reached.
        String key = "org.slf4j.simpleLogger.log." + RETRY_LOGGER;
        if (System.getProperty(key) == null) System.setProperty(key, "warn");
    }

    private final DockerSettings settings;
    private final String agentName;
    private final String systemPython;
    private final Map<String, String> buildEnv;
    private final EnvironmentCache cache;
    private DockerEngine engine;

    /**
     * @param systemPython the agent's interpreter (reads pyproject files when picking the inputs)
     * @param buildEnv     the agent's variables for environment builds (passed into build containers)
     * @param cache        the agent's one environment cache (container environments live there too)
     */
    public DockerMode(DockerSettings settings, String agentName, String systemPython, Map<String, String> buildEnv,
            EnvironmentCache cache) {
        this.settings = settings == null ? DockerSettings.defaults() : settings;
        this.agentName = agentName;
        this.systemPython = systemPython;
        this.buildEnv = Map.copyOf(buildEnv);
        this.cache = cache;
    }

    public DockerSettings settings() {
        return settings;
    }

    public synchronized DockerEngine engine() {
        if (engine == null) engine = DockerEngine.connect(settings.dockerHost());
        return engine;
    }

    /**
     * The task's Docker side, or null when it runs as a plain process.
     *
     * @throws IllegalArgumentException a bad {@code container} field (refused extra args, unknown pull
     *                                  policy): the message is the task's failure reason
     */
    public DockerTask forTask(JsonNode task, String taskId, Set<String> secretNames) {
        ContainerRequest req = ContainerRequest.of(task, settings.defaultImage());
        if (req == null) return null;
        ExtraArgs extra = ExtraArgs.parse(req.args(), settings.volumePrefixes());
        return new DockerTask(this, req, extra, taskId, secretNames);
    }

    String agentName() {
        return agentName;
    }

    String systemPython() {
        return systemPython;
    }

    Map<String, String> buildEnv() {
        return buildEnv;
    }

    EnvironmentCache cache() {
        return cache;
    }

    /**
     * Removes the containers of this agent's earlier runs (crash, kill -9) in the background. Quiet
     * when no engine is there and no task asked for Docker: most agents never use it. A plain
     * connect looks first ({@link EngineProbe}), so without an engine docker-java is not started at all.
     */
    public void removeLeftoversInBackground() {
        Thread t = new Thread(() -> {
            String host = DockerEngine.hostFor(settings.dockerHost(), System.getenv("DOCKER_HOST"));
            java.util.Optional<String> absent = EngineProbe.unreachable(host);
            if (absent.isPresent()) {
                // most agents have no Docker: one line of ours, and the engine client is never started
                if (settings.defaultImage() != null) {
                    LOG.warn("Docker mode: no Docker engine at {} ({}): start Docker, or point the agent at one with"
                            + " --docker-host or DOCKER_HOST", host, absent.get());
                } else {
                    LOG.debug("no Docker engine at {} ({}): no leftover task containers to look for", host, absent.get());
                }
                return;
            }
            try {
                DockerEngine e = engine();
                e.ping();
                int n = e.removeLeftovers(agentName);
                if (n > 0) LOG.info("removed {} task container(s) left by an earlier run of this agent", n);
            } catch (ContainerException e) {
                if (settings.defaultImage() != null) LOG.warn("Docker mode: {}", e.getMessage());
                else LOG.debug("no Docker engine: {}", e.getMessage());
            } catch (RuntimeException e) {
                LOG.warn("cannot look for leftover task containers: {}", DockerEngine.rootMessage(e));
            }
        }, "drover-docker-cleanup");
        t.setDaemon(true);
        t.start();
    }
}

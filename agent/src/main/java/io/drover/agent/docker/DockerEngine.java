package io.drover.agent.docker;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.async.ResultCallback;
import com.github.dockerjava.api.command.CreateContainerCmd;
import com.github.dockerjava.api.command.InspectImageResponse;
import com.github.dockerjava.api.exception.NotFoundException;
import com.github.dockerjava.api.model.Container;
import com.github.dockerjava.api.model.PullResponseItem;
import com.github.dockerjava.core.DefaultDockerClientConfig;
import com.github.dockerjava.core.DockerClientImpl;
import com.github.dockerjava.httpclient5.ApacheDockerHttpClient;
import java.io.IOException;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One Docker Engine API connection (Docker, or Podman's compatible service): images, the labels
 * that mark Drover's containers, and the clean-up of containers a crashed agent left behind.
 */
public final class DockerEngine implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(DockerEngine.class);
    /** Every task container carries the agent's name here, so a restarted agent finds its leftovers. */
    public static final String LABEL_AGENT = "io.drover.agent";
    public static final String LABEL_TASK = "io.drover.task";
    public static final String DEFAULT_HOST = "unix:///var/run/docker.sock";

    private final String host;
    private final DockerClient client;
    private final ApacheDockerHttpClient http;
    private volatile Consumer<CreateContainerCmd> createObserver = c -> { };

    private DockerEngine(String host) {
        this.host = host;
        DefaultDockerClientConfig cfg = DefaultDockerClientConfig.createDefaultConfigBuilder().withDockerHost(host).build();
        this.http = new ApacheDockerHttpClient.Builder().dockerHost(URI.create(host)).sslConfig(cfg.getSSLConfig())
                .maxConnections(64).connectionTimeout(Duration.ofSeconds(5)).build();
        this.client = DockerClientImpl.getInstance(cfg, http);
        // No shutdown hook of its own: on SIGTERM the agent stops its tasks with their grace period
        // (or drains them) and each container is removed when it ends; after a kill -9 the next
        // start removes this agent's labelled leftovers (removeLeftovers).
    }

    /** A client for {@code host} (null: {@code $DOCKER_HOST}, else the default socket); connects on first use. */
    public static DockerEngine connect(String host) {
        return new DockerEngine(hostFor(host, System.getenv("DOCKER_HOST")));
    }

    /** The address a client for {@code configured} uses: it, else {@code dockerHostEnv} ($DOCKER_HOST), else the default socket. */
    static String hostFor(String configured, String dockerHostEnv) {
        String h = configured != null ? configured : dockerHostEnv;
        return h == null || h.isBlank() ? DEFAULT_HOST : h;
    }

    public String host() {
        return host;
    }

    public DockerClient client() {
        return client;
    }

    /** Tests watch the exact create request (Podman ignores GPU device requests, so it cannot be seen otherwise). */
    public void onCreate(Consumer<CreateContainerCmd> observer) {
        this.createObserver = Objects.requireNonNull(observer);
    }

    void beforeCreate(CreateContainerCmd cmd) {
        createObserver.accept(cmd);
    }

    /** Throws with what to do when no engine answers. */
    public void ping() throws ContainerException {
        try {
            client.pingCmd().exec();
        } catch (RuntimeException e) {
            throw new ContainerException("no Docker engine answers at " + host + " (" + rootMessage(e) + "): start Docker,"
                    + " or point the agent at one with --docker-host or DOCKER_HOST", e);
        }
    }

    /** The local image, pulled first as {@code policy} says; pull progress goes to {@code log}. */
    public ImageRef ensureImage(String image, PullPolicy policy, Consumer<String> log) throws ContainerException, InterruptedException {
        ping();
        InspectImageResponse found = policy == PullPolicy.ALWAYS ? null : inspect(image);
        if (found == null && policy == PullPolicy.NEVER) {
            throw new ContainerException("image " + image + " is not on this agent's Docker and the task's pullPolicy is never:"
                    + " load or build it there, or use pullPolicy missing");
        }
        if (found == null) {
            pull(image, log);
            found = inspect(image);
            if (found == null) throw new ContainerException("image " + image + " was pulled but Docker cannot find it under that name");
        }
        List<String> env = found.getConfig() == null || found.getConfig().getEnv() == null ? List.of()
                : List.of(found.getConfig().getEnv());
        return new ImageRef(image, found.getId(), env);
    }

    private InspectImageResponse inspect(String image) throws ContainerException {
        try {
            return client.inspectImageCmd(image).exec();
        } catch (NotFoundException e) {
            return null;
        } catch (RuntimeException e) {
            throw new ContainerException("cannot inspect image " + image + " at " + host + ": " + rootMessage(e), e);
        }
    }

    private void pull(String image, Consumer<String> log) throws ContainerException, InterruptedException {
        log.accept("[drover] pulling image " + image);
        long t0 = System.nanoTime();
        int at = image.lastIndexOf('@');
        int colon = image.lastIndexOf(':');
        var cmd = at >= 0 || colon > image.lastIndexOf('/') ? client.pullImageCmd(image)
                // an untagged name would pull every tag of the repository
                : client.pullImageCmd(image).withTag("latest");
        String[] last = {null};
        String[] error = {null};
        try {
            // not PullImageResultCallback: it fails on Podman's error items, which carry no status
            cmd.exec(new ResultCallback.Adapter<PullResponseItem>() {
                @Override
                public void onNext(PullResponseItem item) {
                    if (item.getErrorDetail() != null || item.getError() != null) {
                        error[0] = item.getErrorDetail() != null && item.getErrorDetail().getMessage() != null
                                ? item.getErrorDetail().getMessage() : item.getError();
                        return;
                    }
                    // one console line per layer state change, not per progress tick
                    String status = item.getStatus();
                    if (status == null || status.startsWith("Downloading") || status.startsWith("Extracting")) return;
                    String line = (item.getId() == null ? "" : item.getId() + ": ") + status;
                    if (!line.equals(last[0])) log.accept("[drover] " + line);
                    last[0] = line;
                }
            }).awaitCompletion();
        } catch (RuntimeException e) {
            error[0] = rootMessage(e);
        }
        if (error[0] != null) {
            throw new ContainerException("cannot pull image " + image + ": " + error[0].strip() + " (check the image name and"
                    + " the registry login of the agent's Docker, or load the image there and set pullPolicy never)");
        }
        log.accept(String.format("[drover] pulled %s in %.1f s", image, (System.nanoTime() - t0) / 1e9));
    }

    /** Removes every container labelled with {@code agentName} (left by a crash); returns how many. */
    public int removeLeftovers(String agentName) {
        int n = 0;
        List<Container> found = client.listContainersCmd().withShowAll(true)
                .withLabelFilter(Map.of(LABEL_AGENT, agentName)).exec();
        for (Container c : found) {
            try {
                client.removeContainerCmd(c.getId()).withForce(true).withRemoveVolumes(true).exec();
                n++;
                LOG.info("removed container {} left by an earlier run of agent {} (task {})", shortId(c.getId()), agentName,
                        c.getLabels() == null ? "?" : c.getLabels().get(LABEL_TASK));
            } catch (NotFoundException e) {
                // gone meanwhile
            } catch (RuntimeException e) {
                LOG.warn("cannot remove leftover container {}: {}", shortId(c.getId()), rootMessage(e));
            }
        }
        return n;
    }

    /** Force-removes a container; false when Docker refused (logged). */
    boolean remove(String id) {
        try {
            client.removeContainerCmd(id).withForce(true).withRemoveVolumes(true).exec();
            return true;
        } catch (NotFoundException e) {
            return true;
        } catch (RuntimeException e) {
            LOG.warn("cannot remove container {}: {}", shortId(id), rootMessage(e));
            return false;
        }
    }

    static String shortId(String id) {
        return id == null ? "?" : id.substring(0, Math.min(12, id.length()));
    }

    /** The innermost message: docker-java wraps socket errors a few levels deep. */
    static String rootMessage(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null && t.getCause() != t) t = t.getCause();
        String m = t.getMessage();
        if (m != null) m = m.strip();
        return m == null || m.isEmpty() ? t.getClass().getSimpleName() : m;
    }

    /** Drains a callback quietly (for closing streams). */
    static void closeQuietly(ResultCallback<?> cb) {
        try {
            if (cb != null) cb.close();
        } catch (IOException | RuntimeException ignored) {
            // the stream is finished either way
        }
    }

    @Override
    public void close() {
        try {
            client.close();
        } catch (IOException ignored) {
            // nothing to release
        }
    }
}

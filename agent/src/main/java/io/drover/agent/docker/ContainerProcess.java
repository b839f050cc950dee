package io.drover.agent.docker;

import com.fasterxml.jackson.databind.JsonNode;
import com.github.dockerjava.api.async.ResultCallback;
import com.github.dockerjava.api.command.WaitContainerResultCallback;
import com.github.dockerjava.api.exception.NotFoundException;
import com.github.dockerjava.api.exception.NotModifiedException;
import com.github.dockerjava.api.model.Frame;
import com.github.dockerjava.api.model.StreamType;
import io.drover.agent.launch.RunResult;
import io.drover.agent.launch.TaskProcess;
import io.drover.shared.json.Json;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A task running in a container: its live stdout/stderr, stop (SIGTERM to the supervisor shim,
 * which gives the task its grace period, then Docker's kill), and its result. The container is
 * removed right after it has ended and its output is read, whatever the runner does.
 */
final class ContainerProcess implements TaskProcess {
    private static final Logger LOG = LoggerFactory.getLogger(ContainerProcess.class);
    /** Time the shim gets beyond the grace period before Docker kills the container. */
    private static final int MARGIN_SECONDS = 2;

    private final DockerEngine engine;
    private final String id;
    private final Path resultFile;
    private final Duration grace;
    private final ChunkStream out = new ChunkStream();
    private final ChunkStream err = new ChunkStream();
    private final CountDownLatch logsDone = new CountDownLatch(1);
    private final CompletableFuture<Integer> ended = new CompletableFuture<>();
    private final AtomicBoolean stopRequested = new AtomicBoolean();

    ContainerProcess(DockerEngine engine, String id, Path resultFile, Duration grace) {
        this.engine = engine;
        this.id = id;
        this.resultFile = resultFile;
        this.grace = grace;
    }

    String id() {
        return id;
    }

    /** Follows the logs and the exit; call once, right after the container started. */
    void follow() {
        engine.client().logContainerCmd(id).withStdOut(true).withStdErr(true).withFollowStream(true)
                .exec(new ResultCallback.Adapter<Frame>() {
                    @Override
                    public void onNext(Frame f) {
                        (f.getStreamType() == StreamType.STDERR ? err : out).feed(f.getPayload());
                    }

                    @Override
                    public void onError(Throwable t) {
                        LOG.debug("log stream of container {} ended: {}", DockerEngine.shortId(id), t.toString());
                        finishLogs();
                    }

                    @Override
                    public void onComplete() {
                        finishLogs();
                    }
                });
        Thread waiter = new Thread(this::awaitExit, "drover-container-" + DockerEngine.shortId(id));
        waiter.setDaemon(true);
        waiter.start();
    }

    private void finishLogs() {
        out.end();
        err.end();
        logsDone.countDown();
    }

    private void awaitExit() {
        int code;
        try {
            code = engine.client().waitContainerCmd(id).exec(new WaitContainerResultCallback()).awaitStatusCode();
        } catch (RuntimeException e) {
            LOG.warn("lost track of container {}: {}; killing it", DockerEngine.shortId(id), DockerEngine.rootMessage(e));
            code = 137;
        }
        try {
            // the log stream ends with the container; give it a moment to deliver the last lines
            if (!logsDone.await(10, TimeUnit.SECONDS)) LOG.warn("log stream of container {} did not end", DockerEngine.shortId(id));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        finishLogs();
        ended.complete(code); // the task's end does not wait for Docker to delete the container (~1 s on Podman)
        engine.remove(id);
    }

    @Override
    public InputStream stdout() {
        return out;
    }

    @Override
    public InputStream stderr() {
        return err;
    }

    @Override
    public boolean isAlive() {
        return !ended.isDone();
    }

    /**
     * Docker's stop sends SIGTERM to the shim (PID 1), which ends the task's process group with its
     * grace period; Docker kills the container after grace + a margin, and we kill it ourselves
     * should the stop call fail. Returns at once.
     */
    @Override
    public void stop() {
        if (!stopRequested.compareAndSet(false, true)) return;
        Thread t = new Thread(() -> {
            try {
                engine.client().stopContainerCmd(id).withTimeout((int) grace.toSeconds() + MARGIN_SECONDS).exec();
            } catch (NotModifiedException | NotFoundException e) {
                return; // already stopped or removed
            } catch (RuntimeException e) {
                LOG.warn("cannot stop container {} ({}); killing it", DockerEngine.shortId(id), DockerEngine.rootMessage(e));
            }
            if (!ended.isDone()) kill();
        }, "drover-stop-" + DockerEngine.shortId(id));
        t.setDaemon(true);
        t.start();
    }

    @Override
    public void kill() {
        stopRequested.set(true);
        try {
            engine.client().killContainerCmd(id).exec();
        } catch (NotFoundException | NotModifiedException e) {
            // already gone
        } catch (RuntimeException e) {
            // Podman answers 409/500 for a container that is no longer running
            LOG.debug("kill of container {}: {}", DockerEngine.shortId(id), DockerEngine.rootMessage(e));
        }
    }

    @Override
    public RunResult waitFor() throws InterruptedException {
        int code;
        try {
            code = ended.get();
        } catch (ExecutionException e) {
            code = 137;
        }
        try {
            if (Files.exists(resultFile)) {
                JsonNode r = Json.parse(Files.readString(resultFile));
                return new RunResult(r.path("exitCode").asInt(code),
                        r.hasNonNull("signal") ? r.get("signal").asInt() : null,
                        r.hasNonNull("maxRssKb") ? r.get("maxRssKb").asLong() : null,
                        r.hasNonNull("cpuSeconds") ? r.get("cpuSeconds").asDouble() : null);
            }
        } catch (IOException | IllegalArgumentException e) {
            LOG.warn("cannot read the task result file {}: {}", resultFile, e.toString());
        }
        return new RunResult(code, code > 128 ? code - 128 : null, null, null);
    }

    @Override
    public boolean waitFor(Duration timeout) throws InterruptedException {
        try {
            ended.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            return true;
        } catch (TimeoutException e) {
            return false;
        } catch (ExecutionException e) {
            return true;
        }
    }
}

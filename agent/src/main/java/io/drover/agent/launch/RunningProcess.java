package io.drover.agent.launch;

import com.fasterxml.jackson.databind.JsonNode;
import io.drover.shared.json.Json;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** A task process started by {@link ProcessLauncher}: its output streams, stop, and result. */
public final class RunningProcess implements TaskProcess {
    private static final Logger LOG = LoggerFactory.getLogger(RunningProcess.class);
    /** Time the shim gets beyond the grace period before the agent kills the group itself. */
    private static final Duration MARGIN = Duration.ofSeconds(2);

    private final Process shim;
    private final LaunchSpec spec;
    private final AtomicBoolean stopRequested = new AtomicBoolean();

    RunningProcess(Process shim, LaunchSpec spec) {
        this.shim = shim;
        this.spec = spec;
    }

    @Override
    public InputStream stdout() {
        return shim.getInputStream();
    }

    @Override
    public InputStream stderr() {
        return shim.getErrorStream();
    }

    public long pid() {
        return shim.pid();
    }

    @Override
    public boolean isAlive() {
        return shim.isAlive();
    }

    public boolean stopRequested() {
        return stopRequested.get();
    }

    /**
     * Asks the task to stop: SIGTERM to the shim, which sends SIGTERM to the task's group and
     * SIGKILL after the grace period. Should the shim itself hang, the agent kills the group after
     * grace + a margin. Returns at once.
     */
    @Override
    public void stop() {
        if (!stopRequested.compareAndSet(false, true)) return;
        // ProcessHandle.destroy() only signals; Process.destroy() would also close our ends of the
        // pipes and lose what the task prints while it shuts down
        shim.toHandle().destroy();
        long pid = shim.pid();
        List<ProcessHandle> groupLeaders = shim.toHandle().children().toList();
        Thread t = new Thread(() -> {
            try {
                if (shim.waitFor(spec.grace().plus(MARGIN).toMillis(), TimeUnit.MILLISECONDS)) return;
            } catch (InterruptedException e) {
                return;
            }
            LOG.warn("task supervisor {} did not end in time; killing its process group", pid);
            killForcibly(groupLeaders);
        }, "drover-stop-" + pid);
        t.setDaemon(true);
        t.start();
    }

    /** Kills the shim and the task's whole group at once (used when the agent must not wait). */
    @Override
    public void kill() {
        stopRequested.set(true);
        killForcibly(shim.toHandle().children().toList());
    }

    private void killForcibly(List<ProcessHandle> groupLeaders) {
        for (ProcessHandle h : groupLeaders) {
            // the shim starts the task as the leader of a new session: its pid is the group id
            try {
                new ProcessBuilder("/bin/kill", "-KILL", "--", "-" + h.pid())
                        .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD)
                        .start().waitFor(5, TimeUnit.SECONDS);
            } catch (IOException | InterruptedException e) {
                h.destroyForcibly();
            }
        }
        shim.descendants().forEach(ProcessHandle::destroyForcibly);
        shim.toHandle().destroyForcibly();
    }

    /** Waits for the end and reads the supervisor's result (exit code and resource peaks). */
    @Override
    public RunResult waitFor() throws InterruptedException {
        int code = shim.waitFor();
        try {
            shim.getOutputStream().close();
        } catch (IOException ignored) {
            // the pipe only signalled liveness
        }
        try {
            if (Files.exists(spec.resultFile())) {
                JsonNode r = Json.parse(Files.readString(spec.resultFile()));
                return new RunResult(r.path("exitCode").asInt(code),
                        r.hasNonNull("signal") ? r.get("signal").asInt() : null,
                        r.hasNonNull("maxRssKb") ? r.get("maxRssKb").asLong() : null,
                        r.hasNonNull("cpuSeconds") ? r.get("cpuSeconds").asDouble() : null);
            }
        } catch (IOException | IllegalArgumentException e) {
            LOG.warn("cannot read the task result file {}: {}", spec.resultFile(), e.toString());
        }
        return new RunResult(code, code > 128 ? code - 128 : null, null, null);
    }

    /** Waits up to {@code timeout}; true when the process has ended. */
    @Override
    public boolean waitFor(Duration timeout) throws InterruptedException {
        return shim.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }
}

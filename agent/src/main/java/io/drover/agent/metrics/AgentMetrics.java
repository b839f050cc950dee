package io.drover.agent.metrics;

import io.drover.agent.gpu.GpuStat;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.IntSupplier;
import java.util.function.Supplier;

/**
 * The agent's metrics, one set per process ({@link #get()}): the daemon classes count into it with
 * one-line calls; nothing is recorded (and the Prometheus client is never loaded) until
 * {@link MetricsServer} starts ({@code --metrics-port}), which switches on {@link PrometheusMetrics}.
 * Counting then costs a few nanoseconds and nothing runs on a timer.
 *
 * <p>Series (all {@code drover_agent_*}): {@code slots_busy}, {@code slots_total},
 * {@code claims_total{result=claimed|empty|error}}, {@code task_runs_total{status=completed|failed|aborted|released}},
 * {@code task_run_duration_seconds}, {@code env_cache_total{result=hit|miss}},
 * {@code env_builds_total{result=built|failed}}, {@code env_build_duration_seconds},
 * {@code heartbeat_failures_total}, {@code log_lines_shipped_total}, {@code log_bytes_shipped_total},
 * {@code delivery_failures_total{kind=logs|scalars}}, {@code artifact_uploads_total{result=ok|failed}},
 * {@code gpu_utilization_percent{gpu}}, {@code gpu_memory_used_bytes{gpu}}, {@code gpu_memory_total_bytes{gpu}};
 * plus the JVM's ({@code jvm_*}, {@code process_*}).
 */
public final class AgentMetrics {
    /** Prometheus text format 0.0.4. */
    public static final String CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";
    private static final AgentMetrics INSTANCE = new AgentMetrics();

    private final List<Source> sources = new CopyOnWriteArrayList<>();
    private volatile Recorder recorder = Recorder.NONE;

    /** What a running daemon shows at scrape time: its slots and the GPUs of its last heartbeat. */
    public record Source(IntSupplier busySlots, IntSupplier totalSlots, Supplier<List<GpuStat>> gpus) {}

    /** Where the counts go: nowhere until the metrics server starts. */
    interface Recorder {
        Recorder NONE = new Recorder() {};

        default void claim(String result) {}
        default void taskEnded(String status) {}
        default void taskRunTook(long nanos) {}
        default void environment(boolean cacheHit, long nanos) {}
        default void environmentFailed() {}
        default void heartbeatFailed() {}
        default void logsShipped(List<String> texts) {}
        default void deliveryFailed(String kind) {}
        default void artifactUploaded(boolean ok) {}
        default byte[] scrape() {
            return new byte[0];
        }
    }

    private AgentMetrics() {}

    /** The agent process's metrics. */
    public static AgentMetrics get() {
        return INSTANCE;
    }

    /** Starts recording (idempotent); called by {@link MetricsServer#start}. */
    synchronized void enable() {
        if (recorder == Recorder.NONE) recorder = new PrometheusMetrics(sources);
    }

    // ---- hooks (one call each in the daemon classes)

    /** A running daemon's slots and GPUs; remove it when the daemon stops. */
    public Source addSource(Source s) {
        sources.add(s);
        return s;
    }

    public void removeSource(Source s) {
        sources.remove(s);
    }

    /** @param result claimed, empty or error */
    public void claim(String result) {
        recorder.claim(result);
    }

    /** @param status the final status reported (completed, failed, aborted) or released */
    public void taskEnded(String status) {
        recorder.taskEnded(status);
    }

    /** A task run from claim to its slot being free again. */
    public void taskRunTook(long nanos) {
        recorder.taskRunTook(nanos);
    }

    /** An environment is ready: from the cache, or built in {@code nanos}. */
    public void environment(boolean cacheHit, long nanos) {
        recorder.environment(cacheHit, nanos);
    }

    public void environmentFailed() {
        recorder.environmentFailed();
    }

    public void heartbeatFailed() {
        recorder.heartbeatFailed();
    }

    /** A batch of log lines the controller accepted. */
    public void logsShipped(List<String> texts) {
        recorder.logsShipped(texts);
    }

    /** @param kind logs or scalars */
    public void deliveryFailed(String kind) {
        recorder.deliveryFailed(kind);
    }

    public void artifactUploaded(boolean ok) {
        recorder.artifactUploaded(ok);
    }

    /** The Prometheus text exposition (empty before the server started). */
    public byte[] scrape() {
        return recorder.scrape();
    }

    static long utf8Length(String s) {
        if (s == null) return 0;
        long n = 0;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c < 0x80) n++;
            else if (c < 0x800) n += 2;
            else if (Character.isHighSurrogate(c) && i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1))) {
                n += 4;
                i++;
            } else n += 3;
        }
        return n;
    }

    static byte[] text(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}

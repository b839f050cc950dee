package io.drover.agent.metrics;

import io.drover.agent.gpu.GpuStat;
import io.prometheus.metrics.config.MetricsProperties;
import io.prometheus.metrics.config.PrometheusProperties;
import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.instrumentation.jvm.JvmBufferPoolMetrics;
import io.prometheus.metrics.instrumentation.jvm.JvmClassLoadingMetrics;
import io.prometheus.metrics.instrumentation.jvm.JvmCompilationMetrics;
import io.prometheus.metrics.instrumentation.jvm.JvmGarbageCollectorMetrics;
import io.prometheus.metrics.instrumentation.jvm.JvmMemoryMetrics;
import io.prometheus.metrics.instrumentation.jvm.JvmRuntimeInfoMetric;
import io.prometheus.metrics.instrumentation.jvm.JvmThreadsMetrics;
import io.prometheus.metrics.instrumentation.jvm.ProcessMetrics;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The Prometheus side of {@link AgentMetrics}: the registry and its series, created only when the
 * metrics server starts (an agent without {@code --metrics-port} never loads the client library).
 * Slots and GPUs are read from the running daemons at scrape time, the GPU figures from the last
 * heartbeat's nvidia-smi sample (a scrape never runs nvidia-smi). No exemplars and no native
 * histograms: they would start the client library's scheduler thread.
 */
final class PrometheusMetrics implements AgentMetrics.Recorder {
    private static final long MB = 1024L * 1024;

    private final PrometheusRegistry registry = new PrometheusRegistry();
    private final List<AgentMetrics.Source> sources;
    private final Counter claims;
    private final Counter taskRuns;
    private final Histogram taskDuration;
    private final Counter envCache;
    private final Counter envBuilds;
    private final Histogram envBuildDuration;
    private final Counter heartbeatFailures;
    private final Counter logLines;
    private final Counter logBytes;
    private final Counter deliveryFailures;
    private final Counter artifactUploads;

    /** @param sources the running daemons, read at scrape time */
    PrometheusMetrics(List<AgentMetrics.Source> sources) {
        this.sources = sources;
        GaugeWithCallback.builder().name("drover_agent_slots_busy").help("Task slots running a task now")
                .callback(cb -> cb.call(sources.stream().mapToInt(s -> s.busySlots().getAsInt()).sum()))
                .register(registry);
        GaugeWithCallback.builder().name("drover_agent_slots_total")
                .help("Task slots of the agent (tasks it may run at once: --max-parallel CPU tasks plus GPU tasks)")
                .callback(cb -> cb.call(sources.stream().mapToInt(s -> s.totalSlots().getAsInt()).sum()))
                .register(registry);
        gpuGauge("drover_agent_gpu_utilization_percent", "GPU utilisation (0-100) by GPU index, from the last heartbeat's nvidia-smi sample",
                GpuStat::util);
        gpuGauge("drover_agent_gpu_memory_used_bytes", "GPU memory in use by GPU index, from the last heartbeat's nvidia-smi sample",
                g -> bytes(g.memUsedMb()));
        gpuGauge("drover_agent_gpu_memory_total_bytes", "GPU memory by GPU index, from the last heartbeat's nvidia-smi sample",
                g -> bytes(g.memTotalMb()));
        claims = counter("drover_agent_claims_total", "Claim requests by result (claimed: got a task, empty: none within the long-poll, error)",
                "result", "claimed", "empty", "error");
        taskRuns = counter("drover_agent_task_runs_total",
                "Task runs this agent ended, by the status it reported (released: handed back to the queue)",
                "status", "completed", "failed", "aborted", "released");
        taskDuration = Histogram.builder().name("drover_agent_task_run_duration_seconds")
                .help("Time from claim to the end of a task run on this agent (code, environment, process, uploads)")
                .classicOnly().withoutExemplars()
                .classicUpperBounds(1, 5, 15, 30, 60, 300, 900, 1800, 3600, 4 * 3600, 12 * 3600, 24 * 3600, 72 * 3600)
                .register(registry);
        envCache = counter("drover_agent_env_cache_total", "Python environment lookups by result (hit: reused from the cache, miss: built)",
                "result", "hit", "miss");
        envBuilds = counter("drover_agent_env_builds_total", "Python environment builds by result", "result", "built", "failed");
        envBuildDuration = Histogram.builder().name("drover_agent_env_build_duration_seconds")
                .help("Duration of Python environment builds (cache misses)")
                .classicOnly().withoutExemplars()
                .classicUpperBounds(1, 5, 10, 30, 60, 120, 300, 600, 1200, 3600)
                .register(registry);
        heartbeatFailures = counter("drover_agent_heartbeat_failures_total", "Heartbeats the controller did not accept (error or unreachable)");
        logLines = counter("drover_agent_log_lines_shipped_total", "Task output lines delivered to the controller");
        logBytes = counter("drover_agent_log_bytes_shipped_total", "UTF-8 bytes of the task output lines delivered to the controller");
        deliveryFailures = counter("drover_agent_delivery_failures_total",
                "Log and scalar batches the controller did not accept on a try (retried or buffered), by kind", "kind", "logs", "scalars");
        artifactUploads = counter("drover_agent_artifact_uploads_total", "Output files uploaded as artifacts, by result", "result", "ok", "failed");
        registerJvmMetrics();
    }

    /** A gauge with one series per GPU (label {@code gpu}); a GPU whose value is unknown is left out. */
    private void gpuGauge(String name, String help, java.util.function.Function<GpuStat, Double> value) {
        GaugeWithCallback.builder().name(name).help(help).labelNames("gpu")
                .callback(cb -> eachGpu(g -> {
                    Double v = value.apply(g);
                    if (v != null) cb.call(v, Integer.toString(g.index()));
                }))
                .register(registry);
    }

    private static Double bytes(Long mb) {
        return mb == null ? null : mb * (double) MB;
    }

    private Counter counter(String name, String help, String label, String... values) {
        Counter c = Counter.builder().name(name).help(help).labelNames(label).withoutExemplars().register(registry);
        for (String v : values) c.initLabelValues(v);
        return c;
    }

    private Counter counter(String name, String help) {
        return Counter.builder().name(name).help(help).withoutExemplars().register(registry);
    }

    /** Each GPU once, even with several daemons in one JVM (tests): they see the same machine. */
    private void eachGpu(java.util.function.Consumer<GpuStat> each) {
        Set<Integer> seen = new HashSet<>();
        for (AgentMetrics.Source s : sources) {
            for (GpuStat g : s.gpus().get()) {
                if (seen.add(g.index())) each.accept(g);
            }
        }
    }

    /** @param result claimed, empty or error */
    @Override
    public void claim(String result) {
        claims.labelValues(result).inc();
    }

    /** @param status the final status reported (completed, failed, aborted) or released */
    @Override
    public void taskEnded(String status) {
        taskRuns.labelValues(status == null || status.isEmpty() ? "unknown" : status).inc();
    }

    @Override
    public void taskRunTook(long nanos) {
        taskDuration.observe(Math.max(0, nanos) / 1e9);
    }

    /** An environment is ready: from the cache, or built in {@code nanos}. */
    @Override
    public void environment(boolean cacheHit, long nanos) {
        envCache.labelValues(cacheHit ? "hit" : "miss").inc();
        if (!cacheHit) {
            envBuilds.labelValues("built").inc();
            envBuildDuration.observe(Math.max(0, nanos) / 1e9);
        }
    }

    @Override
    public void environmentFailed() {
        envCache.labelValues("miss").inc();
        envBuilds.labelValues("failed").inc();
    }

    @Override
    public void heartbeatFailed() {
        heartbeatFailures.inc();
    }

    /** A batch of log lines the controller accepted. */
    @Override
    public void logsShipped(List<String> texts) {
        long bytes = 0;
        for (String t : texts) bytes += AgentMetrics.utf8Length(t);
        logLines.inc(texts.size());
        logBytes.inc(bytes);
    }

    /** @param kind logs or scalars */
    @Override
    public void deliveryFailed(String kind) {
        deliveryFailures.labelValues(kind).inc();
    }

    @Override
    public void artifactUploaded(boolean ok) {
        artifactUploads.labelValues(ok ? "ok" : "failed").inc();
    }

    // ---- exposition

    /** Adds the JVM's metrics (memory, GC, threads, CPU). */
    private void registerJvmMetrics() {
        // Every JVM series but jvm_memory_pool_allocated_bytes_total: its counter, bumped from a
        // GC listener, samples exemplars whatever the config says, which starts the client
        // library's scheduler thread; heap use and GC are covered by jvm_memory_* and jvm_gc_*.
        PrometheusProperties config = PrometheusProperties.builder()
                .defaultMetricsProperties(MetricsProperties.builder().exemplarsEnabled(false).build()).build();
        JvmThreadsMetrics.builder(config).register(registry);
        JvmBufferPoolMetrics.builder(config).register(registry);
        JvmClassLoadingMetrics.builder(config).register(registry);
        JvmCompilationMetrics.builder(config).register(registry);
        JvmGarbageCollectorMetrics.builder(config).register(registry);
        JvmMemoryMetrics.builder(config).register(registry);
        JvmRuntimeInfoMetric.builder(config).register(registry);
        ProcessMetrics.builder(config).register(registry);
    }

    /** The Prometheus text exposition. */
    @Override
    public byte[] scrape() {
        ByteArrayOutputStream out = new ByteArrayOutputStream(16 * 1024);
        try {
            PrometheusTextFormatWriter.create().write(out, registry.scrape());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }
}

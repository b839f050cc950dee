package io.drover.controller.metrics;

import io.drover.controller.tasks.TaskEvents;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.instrumentation.jvm.JvmMetrics;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.time.Instant;

/**
 * The controller's Prometheus metrics, one registry per controller (tests start several):
 * <ul>
 *   <li>{@code drover_queue_depth{queue}}, {@code drover_tasks{status}}: gauges read from the
 *       {@link GaugeSource} at scrape time;</li>
 *   <li>{@code drover_time_in_queue_seconds}: from enqueue to claim, fed by {@link #taskListener()};</li>
 *   <li>{@code drover_claim_latency_seconds}: how long a successful claim operation took, fed by
 *       {@link #claimLatency(Duration)};</li>
 *   <li>{@code drover_http_request_duration_seconds{method,route,status}}: see {@link HttpMetrics};</li>
 *   <li>JVM metrics (memory, GC, threads, …).</li>
 * </ul>
 */
public final class Metrics {
    public static final String CONTENT_TYPE = PrometheusTextFormatWriter.CONTENT_TYPE;

    private final PrometheusRegistry registry = new PrometheusRegistry();
    private final Histogram timeInQueue;
    private final Histogram claimLatency;
    private final Histogram httpDuration;
    private final PrometheusTextFormatWriter writer = PrometheusTextFormatWriter.create();

    public Metrics(GaugeSource gauges) {
        GaugeWithCallback.builder().name("drover_queue_depth").help("Queued tasks per queue")
                .labelNames("queue")
                .callback(cb -> gauges.queueDepths().forEach((q, n) -> cb.call(n, q)))
                .register(registry);
        GaugeWithCallback.builder().name("drover_tasks").help("Tasks per status")
                .labelNames("status")
                .callback(cb -> gauges.tasksByStatus().forEach((s, n) -> cb.call(n, s)))
                .register(registry);
        timeInQueue = Histogram.builder().name("drover_time_in_queue_seconds")
                .help("Time tasks spent queued before an agent claimed them")
                .classicOnly()
                .classicUpperBounds(0.1, 0.5, 1, 5, 10, 30, 60, 300, 900, 1800, 3600, 4 * 3600, 24 * 3600)
                .register(registry);
        claimLatency = Histogram.builder().name("drover_claim_latency_seconds")
                .help("Duration of successful claim operations (store compare-and-set), without the long-poll wait")
                .classicOnly()
                .classicUpperBounds(0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5)
                .register(registry);
        httpDuration = Histogram.builder().name("drover_http_request_duration_seconds")
                .help("HTTP request durations by method, route template and status (long-polls last up to 30 s)")
                .labelNames("method", "route", "status")
                .classicOnly()
                .classicUpperBounds(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60)
                .register(registry);
        JvmMetrics.builder().register(registry);
    }

    /** Records how long a successful claim operation took (call from the claim handler). */
    public void claimLatency(Duration d) {
        claimLatency.observe(seconds(d));
    }

    /** Records a task's wait in its queue. */
    public void timeInQueue(Duration d) {
        timeInQueue.observe(seconds(d));
    }

    /** Add to {@code TaskEvents}: records time in queue on every claim. */
    public TaskEvents.Listener taskListener() {
        return new TaskEvents.Listener() {
            @Override
            public void claimed(String taskId, String queue, String worker, Instant queuedAt, Instant claimedAt) {
                if (queuedAt != null && claimedAt != null) timeInQueue(Duration.between(queuedAt, claimedAt));
            }

            @Override
            public void claimTook(Duration took) {
                claimLatency(took);
            }
        };
    }

    void httpRequest(String method, String route, int status, long nanos) {
        httpDuration.labelValues(method, route, Integer.toString(status)).observe(nanos / 1e9);
    }

    /** The Prometheus text exposition. Blocks (the gauges query the store): call it off the event loop. */
    public byte[] scrape() {
        ByteArrayOutputStream out = new ByteArrayOutputStream(16 * 1024);
        try {
            writer.write(out, registry.scrape());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    public PrometheusRegistry registry() {
        return registry;
    }

    private static double seconds(Duration d) {
        return Math.max(0, d.toNanos()) / 1e9;
    }
}

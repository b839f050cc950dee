package io.drover.controller.metrics;

import io.drover.controller.tasks.TaskEvents;
import io.prometheus.metrics.core.metrics.Counter;
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
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The controller's Prometheus metrics, one registry per controller (tests start several):
 * <ul>
 *   <li>{@code drover_queue_depth{queue}}, {@code drover_tasks{status}}: gauges read from the
 *       {@link GaugeSource} at scrape time;</li>
 *   <li>{@code drover_workers{state}} (online/offline), {@code drover_queue_workers_online{queue}},
 *       {@code drover_worker_gpu_utilization_percent{worker,gpu}}: from the worker documents at
 *       scrape time (so every controller of a cluster reports the same);</li>
 *   <li>{@code drover_time_in_queue_seconds{queue}}: from enqueue to claim, fed by {@link #taskListener()};</li>
 *   <li>{@code drover_lease_expiries_total{outcome}} (requeued/failed), {@code drover_task_requeues_total{reason}},
 *       {@code drover_tasks_finished_total{status}}: counted by the controller that did it
 *       (sum them over a cluster's controllers);</li>
 *   <li>{@code drover_store_command_duration_seconds{command}}, {@code drover_store_command_failures_total{command}}:
 *       every driver command to the store, fed by {@link #storeCommand};</li>
 *   <li>{@code drover_claim_latency_seconds}: how long a successful claim operation took, fed by
 *       {@link #claimLatency(Duration)};</li>
 *   <li>{@code drover_http_request_duration_seconds{method,route,status}}: see {@link HttpMetrics};</li>
 *   <li>{@code drover_eventbus_messages_total{direction,kind}}: cluster event-bus messages this
 *       controller sent or received (direction sent/received; kind queue, task, control, worker);
 *       zero without {@code --cluster};</li>
 *   <li>JVM metrics (memory, GC, threads, …).</li>
 * </ul>
 */
public final class Metrics {
    public static final String CONTENT_TYPE = PrometheusTextFormatWriter.CONTENT_TYPE;

    private final PrometheusRegistry registry = new PrometheusRegistry();
    private final Histogram timeInQueue;
    private final Histogram claimLatency;
    private final Histogram httpDuration;
    private final Counter leaseExpiries;
    private final Counter requeues;
    private final Counter finished;
    private final Histogram storeDuration;
    private final Counter storeFailures;
    private final Counter eventBus;
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
        WorkerSnapshot workers = new WorkerSnapshot(gauges);
        GaugeWithCallback.builder().name("drover_workers").help("Registered workers by state (online: seen within three heartbeat periods)")
                .labelNames("state")
                .callback(cb -> {
                    long online = workers.get().stream().filter(GaugeSource.WorkerView::online).count();
                    cb.call(online, "online");
                    cb.call(workers.get().size() - online, "offline");
                })
                .register(registry);
        GaugeWithCallback.builder().name("drover_queue_workers_online").help("Online workers that serve each queue")
                .labelNames("queue")
                .callback(cb -> {
                    Map<String, Long> perQueue = new TreeMap<>();
                    for (GaugeSource.WorkerView w : workers.get()) {
                        if (w.online()) w.queues().forEach(q -> perQueue.merge(q, 1L, Long::sum));
                    }
                    perQueue.forEach((q, n) -> cb.call(n, q));
                })
                .register(registry);
        GaugeWithCallback.builder().name("drover_worker_gpu_utilization_percent")
                .help("GPU utilisation (0-100) of online workers from their last heartbeat, by worker and GPU index")
                .labelNames("worker", "gpu")
                .callback(cb -> {
                    for (GaugeSource.WorkerView w : workers.get()) {
                        if (w.online()) w.gpuUtil().forEach((i, u) -> cb.call(u, w.name(), Integer.toString(i)));
                    }
                })
                .register(registry);
        leaseExpiries = Counter.builder().name("drover_lease_expiries_total")
                .help("Leases that expired because the worker stopped heartbeating, by outcome (requeued, failed: worker lost)")
                .labelNames("outcome")
                .register(registry);
        leaseExpiries.initLabelValues("requeued");
        leaseExpiries.initLabelValues("failed");
        requeues = Counter.builder().name("drover_task_requeues_total")
                .help("Running tasks put back in their queue, by reason (lease_expired)")
                .labelNames("reason")
                .register(registry);
        requeues.initLabelValues("lease_expired");
        finished = Counter.builder().name("drover_tasks_finished_total")
                .help("Tasks that reached a final status on this controller, by status (completed, failed, aborted)")
                .labelNames("status")
                .register(registry);
        for (String st : new String[] {"completed", "failed", "aborted"}) finished.initLabelValues(st);
        storeDuration = Histogram.builder().name("drover_store_command_duration_seconds")
                .help("Duration of the store commands the controller sends (find, update, aggregate, …), by command")
                .labelNames("command")
                .classicOnly()
                .classicUpperBounds(0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10)
                .register(registry);
        storeFailures = Counter.builder().name("drover_store_command_failures_total")
                .help("Store commands that failed (error or no answer), by command")
                .labelNames("command")
                .register(registry);
        timeInQueue = Histogram.builder().name("drover_time_in_queue_seconds")
                .help("Time tasks spent queued before an agent claimed them, by queue")
                .labelNames("queue")
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
        eventBus = Counter.builder().name("drover_eventbus_messages_total")
                .help("Cluster event-bus messages (each a batch of changes) this controller sent or received, by direction (sent, received)"
                        + " and kind (queue: claim-order changes, task: task events, control: aborts, worker: heartbeat stats)")
                .labelNames("direction", "kind")
                .register(registry);
        for (String d : new String[] {"sent", "received"}) {
            for (String k : new String[] {"queue", "task", "control", "worker"}) eventBus.initLabelValues(d, k);
        }
        JvmMetrics.builder().register(registry);
    }

    /** Counts one cluster event-bus message (fed by the cluster bridge through {@link #taskListener()}). */
    public void eventBusMessage(String direction, String kind) {
        eventBus.labelValues(direction, kind).inc();
    }

    /** Records how long a successful claim operation took (call from the claim handler). */
    public void claimLatency(Duration d) {
        claimLatency.observe(seconds(d));
    }

    /** Records a task's wait in its queue. */
    public void timeInQueue(String queue, Duration d) {
        timeInQueue.labelValues(queue == null ? "" : queue).observe(seconds(d));
    }

    /** Records one store command (give it to {@code Store.timings().sink}). */
    public void storeCommand(String command, long nanos, boolean failed) {
        storeDuration.labelValues(command).observe(Math.max(0, nanos) / 1e9);
        if (failed) storeFailures.labelValues(command).inc();
    }

    /**
     * Add to {@code TaskEvents}: records time in queue on every claim, finished tasks, lease
     * expiries and event-bus traffic. Local-only: other cluster nodes' replayed events are theirs
     * to count, so a sum over the cluster's controllers counts each event once.
     */
    public TaskEvents.Listener taskListener() {
        return new TaskEvents.Listener() {
            @Override
            public boolean localOnly() {
                return true;
            }

            @Override
            public void eventBus(String direction, String kind) {
                eventBusMessage(direction, kind);
            }

            @Override
            public void claimed(String taskId, String queue, String worker, Instant queuedAt, Instant claimedAt) {
                if (queuedAt != null && claimedAt != null) timeInQueue(queue, Duration.between(queuedAt, claimedAt));
            }

            @Override
            public void finished(String taskId, String status) {
                if (status != null) finished.labelValues(status).inc();
            }

            @Override
            public void leaseExpired(String taskId, String worker, boolean requeued) {
                leaseExpiries.labelValues(requeued ? "requeued" : "failed").inc();
                if (requeued) requeues.labelValues("lease_expired").inc();
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

    /**
     * The worker list for one scrape: three gauges read it, the store is asked once. Reused for a
     * second, so a scrape's gauges agree with each other.
     */
    private static final class WorkerSnapshot {
        private final GaugeSource source;
        private List<GaugeSource.WorkerView> last = List.of();
        private long readAt = Long.MIN_VALUE;

        WorkerSnapshot(GaugeSource source) {
            this.source = source;
        }

        synchronized List<GaugeSource.WorkerView> get() {
            long now = System.nanoTime();
            if (readAt == Long.MIN_VALUE || now - readAt > 1_000_000_000L) {
                last = source.workers();
                readAt = now;
            }
            return last;
        }
    }

    private static double seconds(Duration d) {
        return Math.max(0, d.toNanos()) / 1e9;
    }
}

package io.drover.agent.daemon;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.drover.agent.gpu.GpuStat;
import io.drover.shared.client.ApiClient;
import io.drover.shared.json.Json;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Per-task GPU usage as resource scalars of the task (docs/API.md "GPU usage scalars"): with each
 * heartbeat sample, for every GPU a task holds, metric {@code gpu}, variants
 * {@code <index>.util} (%) and {@code <index>.memUsedMb}, iteration = seconds since the task
 * started here. Sent through the task's LEASE scalars route, off the heartbeat thread, best effort:
 * a lost sample is not worth delaying a heartbeat for.
 */
final class GpuUsage {
    private static final Logger LOG = LoggerFactory.getLogger(GpuUsage.class);
    static final String METRIC = "gpu";
    /** Batch numbers of these points: apart from the {@code ::drover} lines' (2^60+) and the Python client's. */
    static final long BATCH_BASE = 1L << 61;

    private final ApiClient api;
    private final ExecutorService sender = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "drover-gpu-usage");
        t.setDaemon(true);
        return t;
    });
    private final AtomicLong batches = new AtomicLong(BATCH_BASE);
    /** taskId → when it started on this agent (ms), for the iteration number. */
    private final Map<String, Long> started = new ConcurrentHashMap<>();

    GpuUsage(ApiClient api) {
        this.api = api;
    }

    void started(TaskRun run) {
        started.put(run.taskId, System.currentTimeMillis());
    }

    void ended(TaskRun run) {
        started.remove(run.taskId);
    }

    /** Records {@code sample} for each run holding GPUs. */
    void record(List<TaskRun> runs, List<GpuStat> sample) {
        if (sample.isEmpty()) return;
        for (TaskRun run : runs) {
            if (run.gpus().isEmpty()) continue;
            ObjectNode body = points(run, sample);
            if (body.path("points").isEmpty()) continue;
            long batch = batches.getAndIncrement();
            sender.execute(() -> {
                try {
                    new LeaseApi(api, run.taskId, run.epoch, run.token).scalars(batch, body);
                } catch (RuntimeException e) {
                    LOG.debug("task {}: GPU usage not recorded: {}", run.taskId, e.toString());
                }
            });
        }
    }

    ObjectNode points(TaskRun run, List<GpuStat> sample) {
        long t0 = started.getOrDefault(run.taskId, System.currentTimeMillis());
        long iter = Math.max(0, (System.currentTimeMillis() - t0) / 1000);
        long ts = System.currentTimeMillis();
        ObjectNode body = Json.object();
        ArrayNode points = body.putArray("points");
        for (GpuStat g : sample) {
            if (!run.gpus().contains(g.index())) continue;
            if (g.util() != null) point(points, g.index() + ".util", iter, g.util(), ts);
            if (g.memUsedMb() != null) point(points, g.index() + ".memUsedMb", iter, g.memUsedMb(), ts);
        }
        return body;
    }

    private static void point(ArrayNode points, String variant, long iter, double value, long ts) {
        points.addObject().put("metric", METRIC).put("variant", variant).put("iter", iter).put("value", value).put("ts", ts);
    }

    void close() {
        sender.shutdownNow();
    }
}

package io.drover.agent.gpu;

import com.fasterxml.jackson.databind.node.ArrayNode;
import io.drover.shared.json.Json;
import java.util.List;
import java.util.function.IntFunction;

/**
 * The latest GPU figures of this machine, refreshed by each heartbeat (every 5 s). On a machine
 * without nvidia-smi it stays empty and costs one failed process start per sample.
 */
public final class GpuMonitor {
    private final NvidiaSmi smi;
    /** After a failed read, wait this long before running nvidia-smi again (a CPU box has none at all). */
    static final long RETRY_AFTER_FAILURE_MS = 60_000;
    private volatile List<GpuStat> latest = List.of();
    private volatile long nextTry;

    public GpuMonitor(NvidiaSmi smi) {
        this.smi = smi;
    }

    /** Reads nvidia-smi now; an empty list when it is missing or failed (then again only after a minute). */
    public List<GpuStat> sample() {
        long t = System.currentTimeMillis();
        if (t < nextTry) return List.of();
        var read = smi.gpus();
        nextTry = read.isPresent() ? 0 : t + RETRY_AFTER_FAILURE_MS;
        List<GpuStat> now = read.orElse(List.of());
        latest = now;
        return now;
    }

    /** What the last {@link #sample} saw. */
    public List<GpuStat> latest() {
        return latest;
    }

    /** The heartbeat's {@code stats.gpus}: every GPU with the task holding it ({@code holder} gives null when free). */
    public static ArrayNode toJson(List<GpuStat> gpus, IntFunction<String> holder) {
        ArrayNode arr = Json.object().arrayNode();
        for (GpuStat g : gpus) arr.add(g.toJson(holder.apply(g.index())));
        return arr;
    }
}

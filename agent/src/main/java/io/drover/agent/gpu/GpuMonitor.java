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
    private volatile List<GpuStat> latest = List.of();

    public GpuMonitor(NvidiaSmi smi) {
        this.smi = smi;
    }

    /** Reads nvidia-smi now; an empty list when it is missing or failed. */
    public List<GpuStat> sample() {
        List<GpuStat> now = smi.gpus().orElse(List.of());
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

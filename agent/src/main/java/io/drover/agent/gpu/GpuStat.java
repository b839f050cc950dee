package io.drover.agent.gpu;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.drover.shared.json.Json;

/**
 * One GPU as {@code nvidia-smi --query-gpu} reports it at one moment. A figure the driver does
 * not report ({@code [N/A]}, e.g. power on some boards) is null, never a made-up zero.
 */
public record GpuStat(int index, String uuid, String name, Double util, Long memUsedMb, Long memTotalMb,
                      Double tempC, Double powerW) {

    /** The heartbeat's {@code stats.gpus} entry (docs/API.md), with the task holding the GPU or null. */
    public ObjectNode toJson(String taskId) {
        ObjectNode o = Json.object();
        o.put("index", index);
        o.put("uuid", uuid);
        o.put("name", name);
        put(o, "util", util);
        if (memUsedMb == null) o.putNull("memUsedMb"); else o.put("memUsedMb", memUsedMb);
        if (memTotalMb == null) o.putNull("memTotalMb"); else o.put("memTotalMb", memTotalMb);
        put(o, "tempC", tempC);
        put(o, "powerW", powerW);
        o.put("taskId", taskId);
        return o;
    }

    private static void put(ObjectNode o, String k, Double v) {
        if (v == null) o.putNull(k);
        else o.put(k, v);
    }
}

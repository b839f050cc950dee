package io.drover.controller.metrics;

import java.util.List;
import java.util.Map;

/** Values read at scrape time, off the event loop (they may query the store). */
public interface GaugeSource {
    /** Queued tasks per queue name. */
    Map<String, Long> queueDepths();

    /** Tasks per status wire name (created, queued, …); statuses with none may be absent. */
    Map<String, Long> tasksByStatus();

    /** Registered workers as the store has them (every controller of a cluster sees the same list). */
    default List<WorkerView> workers() {
        return List.of();
    }

    /**
     * One worker: online when it was seen within three heartbeat periods (as {@code GET /workers}
     * says), its queues, and the utilisation (0-100) of its GPUs by index from its last heartbeat.
     */
    record WorkerView(String name, boolean online, List<String> queues, Map<Integer, Double> gpuUtil) {}
}

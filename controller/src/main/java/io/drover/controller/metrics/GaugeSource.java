package io.drover.controller.metrics;

import java.util.Map;

/** Values read at scrape time, off the event loop (they may query the store). */
public interface GaugeSource {
    /** Queued tasks per queue name. */
    Map<String, Long> queueDepths();

    /** Tasks per status wire name (created, queued, …); statuses with none may be absent. */
    Map<String, Long> tasksByStatus();
}

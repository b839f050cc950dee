package io.drover.controller.metrics;

import com.mongodb.client.MongoCollection;
import com.mongodb.client.model.Accumulators;
import com.mongodb.client.model.Aggregates;
import io.drover.queue.TaskFields;
import io.drover.queue.TaskQueue;
import io.drover.shared.domain.TaskStatus;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.bson.Document;

/**
 * Gauges from the queue's in-memory view (depths) and one aggregation over the tasks (counts by
 * status). The aggregation scans the tasks on the embedded store; a scrape every 15-60 s keeps
 * that cheap enough, and on MongoDB the {@code status} index serves it.
 */
public final class StoreGauges implements GaugeSource {
    private final TaskQueue queue;
    private final MongoCollection<Document> tasks;

    public StoreGauges(TaskQueue queue, MongoCollection<Document> tasks) {
        this.queue = queue;
        this.tasks = tasks;
    }

    @Override
    public Map<String, Long> queueDepths() {
        return queue.depths();
    }

    @Override
    public Map<String, Long> tasksByStatus() {
        Map<String, Long> out = new TreeMap<>();
        // every status appears, so a dashboard shows 0 rather than a gap
        for (TaskStatus s : TaskStatus.values()) out.put(s.wire(), 0L);
        for (Document d : tasks.aggregate(List.of(Aggregates.group("$" + TaskFields.STATUS, Accumulators.sum("n", 1))))) {
            Object status = d.get("_id");
            Number n = d.get("n", Number.class);
            if (status instanceof String s && n != null) out.put(s, n.longValue());
        }
        return out;
    }
}

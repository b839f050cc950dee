package io.drover.controller.metrics;

import com.mongodb.client.MongoCollection;
import com.mongodb.client.model.Accumulators;
import com.mongodb.client.model.Aggregates;
import io.drover.queue.TaskFields;
import io.drover.queue.TaskQueue;
import io.drover.shared.domain.TaskStatus;
import com.mongodb.client.model.Projections;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Date;
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
    private final MongoCollection<Document> workers;
    private final long onlineMs;
    private final Clock clock;

    public StoreGauges(TaskQueue queue, MongoCollection<Document> tasks) {
        this(queue, tasks, null, Duration.ofSeconds(5), Clock.systemUTC());
    }

    /**
     * @param workers   the workers collection (null: no worker gauges)
     * @param heartbeat the agents' heartbeat period: a worker is online when seen within three of them
     */
    public StoreGauges(TaskQueue queue, MongoCollection<Document> tasks, MongoCollection<Document> workers, Duration heartbeat, Clock clock) {
        this.queue = queue;
        this.tasks = tasks;
        this.workers = workers;
        this.onlineMs = heartbeat.toMillis() * 3;
        this.clock = clock;
    }

    /** One small query (the worker documents, only the fields the gauges need) per scrape. */
    @Override
    public List<WorkerView> workers() {
        if (workers == null) return List.of();
        long now = clock.millis();
        List<WorkerView> out = new ArrayList<>();
        for (Document w : workers.find().projection(Projections.include("lastSeen", "queues", "stats.gpus"))) {
            Date seen = w.getDate("lastSeen");
            boolean online = seen != null && now - seen.getTime() <= onlineMs;
            List<String> queues = new ArrayList<>();
            if (w.get("queues") instanceof List<?> l) l.forEach(q -> queues.add(String.valueOf(q)));
            Map<Integer, Double> util = new TreeMap<>();
            if (w.get("stats") instanceof Document st && st.get("gpus") instanceof List<?> gpus) {
                for (Object g : gpus) {
                    if (g instanceof Document gd && gd.get("index") instanceof Number i && gd.get("util") instanceof Number u) {
                        util.put(i.intValue(), u.doubleValue());
                    }
                }
            }
            out.add(new WorkerView(String.valueOf(w.get("_id")), online, queues, util));
        }
        return out;
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

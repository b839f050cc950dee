package io.drover.controller.live;

import com.fasterxml.jackson.databind.node.ObjectNode;
import com.mongodb.client.MongoCollection;
import com.mongodb.client.model.Projections;
import io.drover.controller.scalars.ScalarStore;
import io.drover.controller.scalars.SeriesSummary;
import io.drover.controller.tasks.TaskDoc;
import io.drover.controller.tasks.TaskEvents;
import io.drover.controller.tasks.TaskJson;
import io.drover.queue.TaskFields;
import io.drover.shared.json.Json;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.WorkerExecutor;
import java.util.Collection;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.bson.Document;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Fans task events out to the open live streams (docs/API.md, "Live updates"). Listener calls
 * arrive on store-pool threads; they only hand the event to the hub's own event-loop context,
 * where all throttling state lives (one thread, no locks). Each (event kind, task) pair is sent
 * at most once per {@link #minGapMs}: events in between are merged (latest status, highest log
 * sequence, union of series and report kinds), so a busy task costs a bounded number of frames.
 * A {@code task} event reads the task's summary once, on the store pool, for all streams.
 */
public final class LiveHub implements TaskEvents.Listener {
    private static final Logger log = LoggerFactory.getLogger(LiveHub.class);
    public static final long DEFAULT_MIN_GAP_MS = 500;
    public static final long DEFAULT_PING_MS = 15_000;
    private static final java.util.List<String> SUMMARY = java.util.List.of(TaskFields.ID, TaskDoc.NAME, TaskDoc.PROJECT,
            TaskFields.STATUS, TaskFields.STATUS_REASON, TaskFields.UPDATED_AT, ScalarStore.METRICS);

    private final Vertx vertx;
    private final Context context;
    private final WorkerExecutor pool;
    private final MongoCollection<Document> tasks;
    private final long minGapMs;
    private final Set<LiveConnection> connections = ConcurrentHashMap.newKeySet();
    /** Throttle state per "kind:taskId"; touched only on {@link #context}. */
    private final Map<String, Slot> slots = new HashMap<>();

    public LiveHub(Vertx vertx, WorkerExecutor pool, MongoCollection<Document> tasks, long minGapMs, long pingMs) {
        this.vertx = vertx;
        this.context = vertx.getOrCreateContext();
        this.pool = pool;
        this.tasks = tasks;
        this.minGapMs = minGapMs;
        context.runOnContext(v -> vertx.setPeriodic(pingMs, id -> ping()));
    }

    /** Whether the task exists (blocking: call on the store pool). */
    boolean exists(String taskId) {
        return tasks.find(TaskFields.byId(taskId)).projection(Projections.include(TaskFields.ID)).first() != null;
    }

    int connectionCount() {
        return connections.size();
    }

    void add(LiveConnection c) {
        connections.add(c);
        c.onClose(() -> connections.remove(c));
    }

    // ---------------------------------------------------------------- listener (store-pool threads)

    @Override
    public void changed(String taskId) {
        if (!connections.isEmpty()) context.runOnContext(v -> offer("task", taskId, s -> {}));
    }

    @Override
    public void logs(String taskId, long next) {
        if (anyDetails(taskId)) context.runOnContext(v -> offer("log", taskId, s -> s.next = Math.max(s.next, next)));
    }

    @Override
    public void scalars(String taskId, Collection<String> series) {
        if (anyDetails(taskId)) {
            Set<String> copy = new LinkedHashSet<>(series);
            context.runOnContext(v -> offer("scalars", taskId, s -> s.items.addAll(copy)));
        }
    }

    @Override
    public void report(String taskId, String kind) {
        if (anyDetails(taskId)) context.runOnContext(v -> offer("report", taskId, s -> s.items.add(kind)));
    }

    private boolean anyDetails(String taskId) {
        for (LiveConnection c : connections) if (c.wantsDetails(taskId)) return true;
        return false;
    }

    // ---------------------------------------------------------------- throttling (hub context)

    /** Pending payload of one (kind, task) pair. */
    private static final class Slot {
        long last = Long.MIN_VALUE / 2;
        long timer = -1;
        long next = -1;
        final Set<String> items = new LinkedHashSet<>();
    }

    private void offer(String kind, String taskId, java.util.function.Consumer<Slot> merge) {
        String key = kind + ":" + taskId;
        Slot s = slots.computeIfAbsent(key, k -> new Slot());
        merge.accept(s);
        if (s.timer != -1) return; // already due: the merged payload goes with it
        long wait = s.last + minGapMs - System.currentTimeMillis();
        if (wait <= 0) fire(kind, taskId, s);
        else s.timer = vertx.setTimer(wait, t -> fire(kind, taskId, s));
    }

    private void fire(String kind, String taskId, Slot s) {
        s.timer = -1;
        s.last = System.currentTimeMillis();
        switch (kind) {
            case "task" -> sendTask(taskId);
            case "log" -> detail(taskId, "log", Json.object().put("id", taskId).put("next", s.next));
            case "scalars" -> {
                ObjectNode o = Json.object().put("id", taskId);
                s.items.forEach(o.putArray("series")::add);
                detail(taskId, "scalars", o);
            }
            default -> {
                for (String k : s.items) detail(taskId, "report", Json.object().put("id", taskId).put("kind", k));
            }
        }
        s.next = -1;
        s.items.clear();
    }

    private void sendTask(String taskId) {
        pool.executeBlocking(() -> tasks.find(TaskFields.byId(taskId)).projection(Projections.include(SUMMARY)).first(), false)
                .onSuccess(d -> {
                    if (d == null) return;
                    String project = d.getString(TaskDoc.PROJECT);
                    String frame = frame("task", summary(d));
                    for (LiveConnection c : connections) if (c.wantsTask(taskId, project)) c.send(frame);
                })
                .onFailure(e -> log.warn("live update of task {} not sent: reading it failed", taskId, e));
    }

    private void detail(String taskId, String event, ObjectNode data) {
        String frame = frame(event, data);
        for (LiveConnection c : connections) if (c.wantsDetails(taskId)) c.send(frame);
    }

    /** The {@code task} event's data: what a table row or a status badge needs. */
    static ObjectNode summary(Document d) {
        ObjectNode o = Json.object().put("id", d.getString(TaskFields.ID)).put("project", d.getString(TaskDoc.PROJECT))
                .put("name", d.getString(TaskDoc.NAME)).put("status", d.getString(TaskFields.STATUS))
                .put("statusReason", d.getString(TaskFields.STATUS_REASON)).put("updatedAt", TaskJson.iso(d.get(TaskFields.UPDATED_AT)));
        ObjectNode metrics = o.putObject("metrics");
        for (SeriesSummary m : ScalarStore.summaries(d)) {
            metrics.putObject(m.variant().isEmpty() ? m.metric() : m.metric() + "/" + m.variant())
                    .put("last", m.last()).put("min", m.min()).put("max", m.max()).put("iter", m.iter());
        }
        return o;
    }

    static String frame(String event, ObjectNode data) {
        // JSON from Jackson has no raw newlines, so one data: line is enough
        return "event: " + event + "\ndata: " + Json.write(data) + "\n\n";
    }

    private void ping() {
        for (LiveConnection c : connections) c.send(": ping\n\n");
        // forget idle throttle slots so they do not pile up for every task ever changed
        long old = System.currentTimeMillis() - 2 * minGapMs;
        for (Iterator<Slot> it = slots.values().iterator(); it.hasNext(); ) {
            Slot s = it.next();
            if (s.timer == -1 && s.last < old) it.remove();
        }
    }
}

package io.drover.controller.workers;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.mongodb.client.MongoCollection;
import com.mongodb.client.model.Projections;
import com.mongodb.client.model.Sorts;
import com.mongodb.client.model.UpdateOptions;
import com.mongodb.client.model.Updates;
import io.drover.controller.Services;
import io.drover.controller.http.Http;
import io.drover.controller.store.Collections;
import io.drover.controller.tasks.Fields;
import io.drover.controller.tasks.TaskDoc;
import io.drover.controller.tasks.TaskJson;
import io.drover.queue.TaskFields;
import io.drover.queue.TaskQueue;
import io.drover.shared.domain.DroverException;
import io.drover.shared.json.Json;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import org.bson.Document;
import org.bson.conversions.Bson;

/**
 * Workers: registration, heartbeats (which extend the leases of the tasks they hold), listing.
 * Worker documents have {@code _id} = name. Blocking: call on the store pool.
 */
public final class WorkerService {
    public static final int MAX_QUEUES = 32;
    /** Worker document field: the tasks it holds (claims add, heartbeats replace, finish/release remove). */
    static final String RUNNING_TASKS = "runningTasks";

    private final MongoCollection<Document> workers;
    private final MongoCollection<Document> tasks;
    private final TaskQueue queue;
    private final Clock clock;
    private final Duration heartbeat;
    private final Duration lease;
    private final WorkerHistory history;

    public WorkerService(Services s) {
        this.workers = s.store().collection(Collections.WORKERS);
        this.tasks = s.store().tasks();
        this.queue = s.queue();
        this.clock = s.clock();
        this.heartbeat = s.config().heartbeat();
        this.lease = s.config().lease();
        this.history = s.workerHistory(); // one per controller, shared with the other nodes of a cluster
    }

    /** {@code POST /workers}: idempotent on name. */
    public ObjectNode register(JsonNode b) {
        Http.requireOnly(b, "name", "queues", "hostname", "pid", "version", "stats");
        String name = Fields.name(b, "name", null);
        if (name == null) throw Fields.bad("'name' is required");
        List<String> queues = Fields.names(b, "queues", MAX_QUEUES);
        Date now = now();
        List<Bson> set = new ArrayList<>(List.of(
                Updates.set("queues", queues),
                Updates.set("hostname", Fields.string(b, "hostname", null, 256)),
                Updates.set("pid", Fields.optionalLong(b, "pid", 0)),
                Updates.set("version", Fields.string(b, "version", null, 64)),
                Updates.set("lastSeen", now),
                Updates.set("registeredAt", now),
                Updates.setOnInsert("createdAt", now)));
        if (Fields.present(b, "stats")) set.add(Updates.set("stats", stats(b.get("stats"))));
        workers.updateOne(new Document("_id", name), Updates.combine(set), new UpdateOptions().upsert(true));
        if (Fields.present(b, "stats")) history.record(name, b.get("stats"), clock.instant());
        return Json.object().put("name", name).put("heartbeatSeconds", heartbeat.toSeconds()).put("leaseSeconds", lease.toSeconds());
    }

    /** {@code POST /workers/{name}/heartbeat}: extends held leases; reports stale ones and requested aborts. */
    public ObjectNode heartbeat(String name, JsonNode b) {
        Http.requireOnly(b, "stats", "tasks");
        List<Held> held = new ArrayList<>();
        if (Fields.present(b, "tasks")) {
            if (!b.get("tasks").isArray()) throw Fields.bad("'tasks' must be an array of {\"taskId\", \"epoch\"}");
            for (JsonNode t : b.get("tasks")) {
                Http.requireOnlyIn("tasks[]", t, "taskId", "epoch");
                String id = Fields.requiredString(t, "taskId", 24);
                if (!io.drover.shared.domain.Ids.isId(id)) throw Fields.bad("'tasks[].taskId' '" + id + "' is not a valid id");
                held.add(new Held(id, Fields.requiredEpoch(t)));
            }
        }
        requireRegistered(name);
        ObjectNode out = Json.object();
        ArrayNode stale = out.putArray("stale");
        ArrayNode abort = out.putArray("abort");
        String current = null;
        List<String> running = new ArrayList<>();
        for (Held h : held) {
            Document d = tasks.find(TaskFields.fence(h.taskId(), h.epoch()))
                    .projection(Projections.include(TaskDoc.ABORT_REQUESTED)).first();
            if (d == null || !queue.extendLease(h.taskId(), h.epoch())) {
                stale.add(h.taskId());
                continue;
            }
            if (current == null) current = h.taskId();
            running.add(h.taskId());
            if (d.get(TaskDoc.ABORT_REQUESTED) != null) abort.add(h.taskId());
        }
        List<Bson> set = new ArrayList<>(List.of(Updates.set("lastSeen", now()), Updates.set("currentTask", current),
                Updates.set(RUNNING_TASKS, running)));
        if (Fields.present(b, "stats")) set.add(Updates.set("stats", stats(b.get("stats"))));
        workers.updateOne(new Document("_id", name), Updates.combine(set));
        if (Fields.present(b, "stats")) history.record(name, b.get("stats"), clock.instant());
        return out;
    }

    private record Held(String taskId, long epoch) {}

    /** {@code GET /workers}. */
    public ObjectNode list() {
        long onlineMs = heartbeat.toMillis() * 3;
        long now = clock.millis();
        ObjectNode o = Json.object();
        ArrayNode items = o.putArray("items");
        for (Document w : workers.find().sort(Sorts.ascending("_id"))) {
            Date seen = w.getDate("lastSeen");
            ObjectNode n = items.addObject();
            n.put("name", w.getString("_id"));
            n.put("hostname", w.getString("hostname"));
            ArrayNode qs = n.putArray("queues");
            if (w.get("queues") instanceof List<?> l) l.forEach(q -> qs.add(String.valueOf(q)));
            n.put("lastSeen", TaskJson.iso(seen));
            n.put("online", seen != null && now - seen.getTime() <= onlineMs);
            n.put("currentTask", w.getString("currentTask"));
            JsonNode stats = w.get("stats") instanceof Document st ? Json.parse(st.toJson()) : Json.object();
            n.set("stats", stats);
            n.set("gpus", stats.path("gpus").isArray() ? stats.get("gpus") : Json.object().arrayNode());
            ArrayNode running = n.putArray("runningTasks");
            if (w.get(RUNNING_TASKS) instanceof List<?> l) l.forEach(t -> running.add(String.valueOf(t)));
        }
        return o;
    }

    /** {@code GET /workers/{name}/stats?minutes=}: the last {@code minutes} (1-60) of the worker's stats, oldest first. */
    public ObjectNode history(String name, int minutes) {
        requireRegistered(name);
        return history.since(name, minutes, clock.instant());
    }

    /** @throws DroverException not_found when the worker never registered */
    public void requireRegistered(String name) {
        if (workers.find(new Document("_id", name)).projection(Projections.include("_id")).first() == null) {
            throw new DroverException(io.drover.shared.domain.ErrorCode.NOT_FOUND,
                    "worker '" + name + "' is not registered; register it first with POST /api/v1/workers");
        }
    }

    /** Marks the worker as seen (a waiting claim is a sign of life) and sets its current task. */
    public void seen(String name, String currentTask, boolean setTask) {
        Bson u = !setTask ? Updates.set("lastSeen", now())
                : currentTask == null ? Updates.combine(Updates.set("lastSeen", now()), Updates.set("currentTask", null))
                : Updates.combine(Updates.set("lastSeen", now()), Updates.set("currentTask", currentTask), Updates.addToSet(RUNNING_TASKS, currentTask));
        workers.updateOne(new Document("_id", name), u);
    }

    /** Clears {@code currentTask} of the worker when it is {@code taskId}. */
    public void taskDone(String worker, String taskId) {
        if (worker != null) {
            workers.updateOne(new Document("_id", worker).append("currentTask", taskId), Updates.set("currentTask", null));
            workers.updateOne(new Document("_id", worker), Updates.pull(RUNNING_TASKS, taskId));
        }
    }

    /** Machine stats: an object of numbers (cpuPercent, memUsedMb, memTotalMb, diskFreeMb) and {@code gpus}. */
    private static Document stats(JsonNode s) {
        if (!s.isObject()) throw Fields.bad("'stats' must be an object such as {\"cpuPercent\": 12.5, \"memUsedMb\": 900}");
        checkGpus(s.get("gpus"));
        return Documents.fromJson(s, "stats");
    }

    /** {@code stats.gpus}: [{"index","uuid","name","util","memUsedMb","memTotalMb","tempC","powerW","taskId"}], each field optional. */
    private static void checkGpus(JsonNode g) {
        if (g == null || g.isNull()) return;
        if (!g.isArray() || g.size() > WorkerHistory.MAX_GPUS) {
            throw Fields.bad("'stats.gpus' must be an array of at most " + WorkerHistory.MAX_GPUS + " objects such as {\"index\": 0, \"util\": 87, \"memUsedMb\": 1200}");
        }
        for (JsonNode one : g) {
            if (!one.isObject()) throw Fields.bad("'stats.gpus' entries must be objects, got " + one.getNodeType().name().toLowerCase());
            for (String f : new String[] {"index", "util", "memUsedMb", "memTotalMb", "tempC", "powerW"}) {
                JsonNode v = one.get(f);
                if (v != null && !v.isNull() && !v.isNumber()) throw Fields.bad("'stats.gpus[]." + f + "' must be a number or null, got " + v);
            }
            for (String f : new String[] {"uuid", "name", "taskId"}) {
                JsonNode v = one.get(f);
                if (v != null && !v.isNull() && (!v.isTextual() || v.asText().length() > 256)) {
                    throw Fields.bad("'stats.gpus[]." + f + "' must be a string of at most 256 characters or null, got " + v);
                }
            }
        }
    }

    private Date now() {
        return Date.from(clock.instant());
    }
}

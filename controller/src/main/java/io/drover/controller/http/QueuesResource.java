package io.drover.controller.http;

import io.drover.controller.auth.Access;
import io.drover.controller.auth.Permission;
import io.drover.controller.auth.ProjectFrom;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.mongodb.ErrorCategory;
import com.mongodb.MongoWriteException;
import com.mongodb.client.MongoCollection;
import com.mongodb.client.model.Filters;
import com.mongodb.client.model.Projections;
import io.drover.controller.tasks.Catalog;
import io.drover.controller.tasks.Fields;
import io.drover.controller.tasks.TaskDoc;
import io.drover.controller.tasks.TaskJson;
import io.drover.controller.tasks.TaskService;
import io.drover.controller.store.Collections;
import io.drover.queue.TaskFields;
import io.drover.queue.TaskQueue;
import io.drover.shared.domain.DroverException;
import io.drover.shared.json.Json;
import io.vertx.ext.web.Router;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.bson.Document;

/** {@code /queues}: create, list with depth, entries in claim order, move, remove. */
public final class QueuesResource implements ApiResource {
    private final Catalog catalog;
    private final TaskQueue queue;
    private final TaskService tasks;
    private final MongoCollection<Document> taskColl;
    private final MongoCollection<Document> workers;

    public QueuesResource(Catalog catalog, TaskQueue queue, TaskService tasks, io.drover.controller.store.Store store) {
        this.catalog = catalog;
        this.queue = queue;
        this.tasks = tasks;
        this.taskColl = store.tasks();
        this.workers = store.collection(Collections.WORKERS);
    }

    @Override
    public void mount(Router api) {
        Access.route(api.post("/queues"), Permission.AUTHENTICATED).handler(Http.jsonBody()).handler(ctx -> {
            ObjectNode b = Http.body(ctx);
            Http.requireOnly(b, "name");
            String name = Fields.name(b, "name", null);
            if (name == null) throw Fields.bad("'name' is required");
            Http.write(ctx, 201, () -> {
                try {
                    catalog.queues().insertOne(new Document("_id", name).append("createdAt", new Date()));
                } catch (MongoWriteException e) {
                    if (e.getError().getCategory() == ErrorCategory.DUPLICATE_KEY) {
                        throw DroverException.conflict("queue '" + name + "' already exists");
                    }
                    throw e;
                }
                return Json.object().put("name", name).put("depth", 0).putNull("oldestQueuedAt").set("workers", Json.MAPPER.createArrayNode());
            });
        });
        Access.route(api.get("/queues"), Permission.AUTHENTICATED).handler(ctx -> Http.blocking(ctx, this::list));
        Access.route(api.get("/queues/:name/entries"), Permission.AUTHENTICATED).handler(ctx -> {
            String name = Http.pathName(ctx, "name", "queue");
            var principal = Access.principal(ctx);
            var auth = Access.service(ctx);
            Http.blocking(ctx, () -> entries(name, auth.readableProjects(principal)));
        });
        Access.route(api.post("/queues/:name/entries/:taskId/move"), Permission.WRITE, ProjectFrom.TASK).handler(Http.jsonBody()).handler(ctx -> {
            String name = Http.pathName(ctx, "name", "queue");
            String id = Http.pathId(ctx, "taskId");
            ObjectNode b = Http.body(ctx);
            Http.requireOnly(b, "position");
            String p = Fields.string(b, "position", null, 16);
            if (p == null) throw Fields.bad("'position' is required: \"front\" or \"back\"");
            TaskQueue.Position pos = TaskService.position(p, "front", "back");
            Http.write(ctx, 200, () -> {
                requireIn(id, name);
                queue.move(id, pos);
                return TaskJson.of(tasks.get(id));
            });
        });
        Access.route(api.delete("/queues/:name/entries/:taskId"), Permission.WRITE, ProjectFrom.TASK).handler(ctx -> {
            String name = Http.pathName(ctx, "name", "queue");
            String id = Http.pathId(ctx, "taskId");
            Http.write(ctx, 200, () -> {
                requireIn(id, name);
                return TaskJson.of(tasks.dequeue(id));
            });
        });
    }

    private void requireIn(String id, String name) {
        Document t = tasks.get(id);
        if (!"queued".equals(t.getString(TaskFields.STATUS)) || !name.equals(t.getString(TaskFields.QUEUE))) {
            throw DroverException.notFound("task '" + id + "' in queue", name);
        }
    }

    private ObjectNode list() {
        Map<String, Long> depths = queue.depths();
        TreeMap<String, List<String>> byQueue = new TreeMap<>();
        for (Document q : catalog.queues().find()) byQueue.put(q.getString("_id"), new ArrayList<>());
        depths.keySet().forEach(q -> byQueue.computeIfAbsent(q, k -> new ArrayList<>()));
        for (Document w : workers.find().projection(Projections.include("_id", "queues"))) {
            if (w.get("queues") instanceof List<?> qs) {
                for (Object q : qs) byQueue.computeIfAbsent(String.valueOf(q), k -> new ArrayList<>()).add(w.getString("_id"));
            }
        }
        ObjectNode o = Json.object();
        ArrayNode items = o.putArray("items");
        byQueue.forEach((name, ws) -> {
            long depth = depths.getOrDefault(name, 0L);
            Instant oldest = null;
            if (depth > 0) {
                for (TaskQueue.QueueEntry e : queue.entries(name)) {
                    if (e.queuedAt() != null && (oldest == null || e.queuedAt().isBefore(oldest))) oldest = e.queuedAt();
                }
            }
            ObjectNode q = items.addObject().put("name", name).put("depth", depth)
                    .put("oldestQueuedAt", oldest == null ? null : oldest.toString());
            ArrayNode wn = q.putArray("workers");
            ws.stream().sorted().forEach(wn::add);
        });
        return o;
    }

    /** Entries in claim order; with {@code visible} (not null) only tasks of those projects are shown. */
    private ObjectNode entries(String name, java.util.Set<String> visible) {
        List<TaskQueue.QueueEntry> entries = queue.entries(name);
        Map<String, String> names = new HashMap<>();
        Map<String, String> projects = new HashMap<>();
        List<String> ids = entries.stream().map(TaskQueue.QueueEntry::taskId).toList();
        // one query for all names, in slices so the $in list stays reasonable
        for (int i = 0; i < ids.size(); i += 1000) {
            taskColl.find(Filters.in(TaskFields.ID, ids.subList(i, Math.min(ids.size(), i + 1000))))
                    .projection(Projections.include(TaskDoc.NAME, TaskDoc.PROJECT))
                    .forEach(d -> {
                        names.put(d.getString(TaskFields.ID), d.getString(TaskDoc.NAME));
                        projects.put(d.getString(TaskFields.ID), d.getString(TaskDoc.PROJECT));
                    });
        }
        ObjectNode o = Json.object();
        ArrayNode items = o.putArray("items");
        for (TaskQueue.QueueEntry e : entries) {
            if (visible != null && !visible.contains(projects.get(e.taskId()))) continue;
            items.addObject().put("id", e.taskId()).put("name", names.get(e.taskId())).put("priority", e.priority())
                    .put("queuedAt", e.queuedAt() == null ? null : e.queuedAt().toString());
        }
        return o;
    }
}

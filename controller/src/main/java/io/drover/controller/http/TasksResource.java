package io.drover.controller.http;

import io.drover.controller.auth.Access;
import io.drover.controller.auth.Permission;
import io.drover.controller.auth.ProjectFrom;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.drover.controller.audit.AuditLog;
import io.drover.controller.tasks.NewTask;
import io.drover.controller.tasks.TaskIndexQuery;
import io.drover.controller.tasks.TaskJson;
import io.drover.controller.tasks.TaskService;
import io.drover.shared.domain.DroverException;
import io.drover.shared.domain.Ids;
import io.drover.shared.json.Json;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import org.bson.Document;

/** {@code /tasks}: create, list, get, diff, clone, enqueue, dequeue, abort, archive. */
public final class TasksResource implements ApiResource {
    /** {@code POST /tasks} may carry an uncommitted diff of up to 10 MiB (JSON-escaped: some more). */
    public static final long CREATE_LIMIT = 12L << 20;

    private final TaskService tasks;
    private final AuditLog audit;

    public TasksResource(TaskService tasks, AuditLog audit) {
        this.tasks = tasks;
        this.audit = audit;
    }

    @Override
    public void mount(Router api) {
        Access.route(api.post("/tasks"), Permission.WRITE, ProjectFrom.BODY, Http.jsonBody(CREATE_LIMIT)).handler(this::create);
        Access.route(api.get("/tasks"), Permission.AUTHENTICATED).handler(this::list);
        // WRITE is checked per task inside: a task the caller cannot change gets its own 'forbidden' result
        Access.route(api.post("/tasks/bulk"), Permission.AUTHENTICATED).handler(Http.jsonBody()).handler(this::bulk);
        Access.route(api.get("/tasks/:id"), Permission.READ, ProjectFrom.TASK).handler(ctx -> {
            String id = Http.pathId(ctx, "id");
            Http.blocking(ctx, () -> TaskJson.of(tasks.get(id)));
        });
        // editable annotations (issue 4): tags, description, properties (and params while created)
        Access.route(api.patch("/tasks/:id"), Permission.WRITE, ProjectFrom.TASK).handler(Http.jsonBody())
                .handler(ctx -> change(ctx, 200, audited("task.update", tasks.annotations()::patch)));
        Access.route(api.post("/tasks/:id/tags"), Permission.LEASE, ProjectFrom.TASK).handler(Http.jsonBody())
                .handler(ctx -> change(ctx, 200, tasks.annotations()::addTagsLeased));
        Access.route(api.post("/tasks/:id/comments"), Permission.WRITE, ProjectFrom.TASK).handler(Http.jsonBody()).handler(ctx -> {
            String id = Http.pathId(ctx, "id");
            ObjectNode b = Http.body(ctx);
            String author = Access.principal(ctx).actor();
            Http.write(ctx, 201, () -> commentJson(tasks.annotations().comment(id, author, b)));
        });
        Access.route(api.get("/tasks/:id/comments"), Permission.READ, ProjectFrom.TASK).handler(ctx -> {
            String id = Http.pathId(ctx, "id");
            Http.blocking(ctx, () -> {
                ObjectNode o = Json.object();
                ArrayNode items = o.putArray("items");
                tasks.annotations().comments(id).forEach(c -> items.add(commentJson(c)));
                return o;
            });
        });
        Access.route(api.get("/tasks/:id/diff"), Permission.READ, ProjectFrom.TASK).handler(ctx -> {
            String id = Http.pathId(ctx, "id");
            Http.blocking(ctx, () -> Json.object().put("diff", tasks.diff(id)));
        });
        Access.route(api.post("/tasks/:id/clone"), Permission.WRITE, ProjectFrom.TASK).handler(Http.jsonBody()).handler(ctx -> change(ctx, 201, (x, id, b) -> tasks.cloneTask(id, b, Access.principal(x).name())));
        Access.route(api.post("/tasks/:id/enqueue"), Permission.WRITE, ProjectFrom.TASK).handler(Http.jsonBody()).handler(ctx -> change(ctx, 200, audited("task.enqueue", tasks::enqueue)));
        Access.route(api.post("/tasks/:id/dequeue"), Permission.WRITE, ProjectFrom.TASK).handler(Http.jsonBody()).handler(ctx -> change(ctx, 200, (id, b) -> {
            Http.requireOnly(b);
            return tasks.dequeue(id);
        }));
        Access.route(api.post("/tasks/:id/abort"), Permission.WRITE, ProjectFrom.TASK).handler(Http.jsonBody()).handler(ctx -> change(ctx, 200, audited("task.abort", tasks::abort)));
        Access.route(api.post("/tasks/:id/archive"), Permission.WRITE, ProjectFrom.TASK).handler(Http.jsonBody()).handler(ctx -> change(ctx, 200, audited("task.archive", (id, b) -> {
            Http.requireOnly(b);
            return tasks.archive(id, true);
        })));
        Access.route(api.post("/tasks/:id/unarchive"), Permission.WRITE, ProjectFrom.TASK).handler(Http.jsonBody()).handler(ctx -> change(ctx, 200, audited("task.unarchive", (id, b) -> {
            Http.requireOnly(b);
            return tasks.archive(id, false);
        })));
    }

    private interface Change {
        Document apply(String id, ObjectNode body);
    }

    /** A change that also needs the request (for the audit log). */
    private interface RequestChange {
        Document apply(RoutingContext ctx, String id, ObjectNode body);
    }

    /** A state change on one task: validate id and body on the loop, run on the pool, answer with the task. */
    private void change(RoutingContext ctx, int status, Change c) {
        change(ctx, status, (RequestChange) (x, id, b) -> c.apply(id, b));
    }

    private void change(RoutingContext ctx, int status, RequestChange c) {
        String id = Http.pathId(ctx, "id");
        ObjectNode body = Http.body(ctx);
        Http.write(ctx, status, () -> TaskJson.of(c.apply(ctx, id, body)));
    }

    /** Records {@code action} on the task in the audit log: ok, or failed with the error's message. */
    private RequestChange audited(String action, Change c) {
        return (ctx, id, body) -> {
            AuditLog.Who who = audit.who(ctx);
            try {
                Document d = c.apply(id, body);
                audit.record(who, action, id, AuditLog.OK);
                return d;
            } catch (RuntimeException e) {
                audit.record(who, action, id, AuditLog.FAILED, e.getMessage());
                throw e;
            }
        };
    }

    private void create(RoutingContext ctx) {
        // parsed on the pool: with a diff the body can be megabytes, too slow for the event loop
        String user = Access.principal(ctx).name();
        Http.write(ctx, 201, () -> TaskJson.of(tasks.create(NewTask.parse(Http.body(ctx)), null, user)));
    }

    private static final java.util.Set<String> LIST_PARAMS = java.util.Set.of("status", "project", "queue", "tag", "user", "q",
            "ids", "sort", "offset", "limit", "archived");

    private void list(RoutingContext ctx) {
        TaskIndexQuery q = listQuery(ctx);
        var principal = Access.principal(ctx);
        var auth = Access.service(ctx);
        Http.blocking(ctx, () -> {
            TaskService.Page page = tasks.list(q, auth.readableProjects(principal));
            ObjectNode o = Json.object();
            ArrayNode items = o.putArray("items");
            page.items().forEach(d -> items.add(TaskJson.of(d)));
            o.put("total", page.total()).put("offset", page.offset()).put("limit", page.limit());
            return o;
        });
    }

    /** The query parameters of {@code GET /tasks}, each refused with a message naming it when wrong. */
    static TaskIndexQuery listQuery(RoutingContext ctx) {
        var p = ctx.queryParams();
        for (String k : p.names()) {
            if (!LIST_PARAMS.contains(k)) {
                throw DroverException.badRequest("unknown query parameter '" + k + "'; use " + String.join(", ", new java.util.TreeSet<>(LIST_PARAMS)));
            }
        }
        String archived = p.get("archived");
        if (archived != null && !archived.equals("true") && !archived.equals("false")) {
            throw DroverException.badRequest("'archived' must be true or false");
        }
        java.util.Set<String> statuses = new java.util.LinkedHashSet<>();
        for (String s : list(p.get("status"))) statuses.add(io.drover.shared.domain.TaskStatus.parse(s).wire());
        java.util.List<String> tags = new java.util.ArrayList<>();
        for (String t : list(p.get("tag"))) tags.add(name(t, "tag"));
        java.util.List<String> ids = list(p.get("ids"));
        if (ids.size() > TaskIndexQuery.MAX_IDS) {
            throw DroverException.badRequest("'ids' names " + ids.size() + " tasks; at most " + TaskIndexQuery.MAX_IDS + " are allowed");
        }
        for (String id : ids) {
            if (!Ids.isId(id)) throw DroverException.badRequest("'ids' entry '" + id + "' is not a valid id: ids are 24 hex characters");
        }
        String text = p.get("q");
        if (text != null && text.length() > 256) throw DroverException.badRequest("'q' is longer than 256 characters");
        String user = p.get("user");
        if (user != null && (user.isEmpty() || user.length() > 128)) throw DroverException.badRequest("'user' must be 1-128 characters");
        return new TaskIndexQuery(statuses, name(p.get("project"), "project"), name(p.get("queue"), "queue"), tags, user,
                text == null || text.isBlank() ? null : text.strip(), ids, TaskIndexQuery.Sort.parse(p.get("sort")),
                Http.intQuery(ctx, "offset", 0, 0, Integer.MAX_VALUE),
                Http.intQuery(ctx, "limit", 50, 1, TaskService.MAX_LIMIT),
                archived == null ? null : Boolean.valueOf(archived));
    }

    /** {@code a,b,,c} → [a, b, c]; absent → []. */
    private static java.util.List<String> list(String v) {
        java.util.List<String> out = new java.util.ArrayList<>();
        if (v == null) return out;
        for (String s : v.split(",")) if (!s.isBlank() && !out.contains(s.strip())) out.add(s.strip());
        return out;
    }

    /** Most tasks one {@code POST /tasks/bulk} may name. */
    public static final int MAX_BULK = 500;
    private static final java.util.List<String> BULK_ACTIONS = java.util.List.of("abort", "enqueue", "dequeue", "archive", "unarchive",
            "tag", "untag");

    /** {@code POST /tasks/bulk}: one action on up to 500 tasks, each checked, done and audited like the single action. */
    private void bulk(RoutingContext ctx) {
        ObjectNode b = Http.body(ctx);
        Http.requireOnly(b, "action", "ids", "tags", "queue");
        String action = io.drover.controller.tasks.Fields.requiredString(b, "action", 16);
        if (!BULK_ACTIONS.contains(action)) {
            throw DroverException.badRequest("'action' must be one of " + String.join(", ", BULK_ACTIONS) + ", got '" + action + "'");
        }
        if (!b.has("ids") || !b.get("ids").isArray() || b.get("ids").isEmpty()) {
            throw DroverException.badRequest("'ids' is required: an array of 1-" + MAX_BULK + " task ids");
        }
        if (b.get("ids").size() > MAX_BULK) {
            throw DroverException.badRequest("'ids' has " + b.get("ids").size() + " entries; at most " + MAX_BULK + " per request (send several)");
        }
        java.util.LinkedHashSet<String> ids = new java.util.LinkedHashSet<>();
        for (var n : b.get("ids")) {
            if (!n.isTextual() || !Ids.isId(n.asText())) {
                throw DroverException.badRequest("'ids' entry " + n + " is not a valid id: ids are 24 hex characters");
            }
            ids.add(n.asText());
        }
        boolean tagging = action.equals("tag") || action.equals("untag");
        java.util.List<String> tags = io.drover.controller.tasks.Fields.tags(b, "tags", io.drover.controller.tasks.TaskAnnotations.MAX_TAGS);
        if (tagging && tags.isEmpty()) throw DroverException.badRequest("'tags' is required for '" + action + "': an array of tag names");
        if (!tagging && io.drover.controller.tasks.Fields.present(b, "tags")) {
            throw DroverException.badRequest("'tags' is only for the tag and untag actions");
        }
        String queue = io.drover.controller.tasks.Fields.name(b, "queue", null);
        if (queue != null && !action.equals("enqueue")) throw DroverException.badRequest("'queue' is only for the enqueue action");
        ObjectNode actionBody = Json.object();
        if (queue != null) actionBody.put("queue", queue);
        if (tagging) tags.forEach(actionBody.putArray(action.equals("tag") ? "addTags" : "removeTags")::add);
        var principal = Access.principal(ctx);
        var auth = Access.service(ctx);
        AuditLog.Who who = audit.who(ctx);
        Http.write(ctx, 200, () -> {
            ObjectNode o = Json.object();
            ArrayNode results = o.putArray("results");
            int ok = 0;
            for (String id : ids) {
                ObjectNode r = results.addObject().put("id", id);
                try {
                    auth.authorize(principal, Permission.WRITE, ProjectFrom.TASK, new io.drover.controller.auth.AuthService.Target(
                            "POST", null, id, null, null));
                } catch (DroverException e) {
                    failed(r, e);
                    continue;
                }
                String audited = switch (action) {
                    case "tag", "untag" -> "task.update";
                    case "dequeue" -> null; // not audited as a single action either
                    default -> "task." + action;
                };
                try {
                    switch (action) {
                        case "abort" -> tasks.abort(id, Json.object());
                        case "enqueue" -> tasks.enqueue(id, actionBody);
                        case "dequeue" -> tasks.dequeue(id);
                        case "archive" -> tasks.archive(id, true);
                        case "unarchive" -> tasks.archive(id, false);
                        default -> tasks.annotations().patch(id, actionBody);
                    }
                    if (audited != null) audit.record(who, audited, id, AuditLog.OK);
                    r.put("ok", true);
                    ok++;
                } catch (RuntimeException e) {
                    if (audited != null) audit.record(who, audited, id, AuditLog.FAILED, e.getMessage());
                    failed(r, e);
                }
            }
            o.put("ok", ok).put("failed", ids.size() - ok);
            return o;
        });
    }

    private static void failed(ObjectNode r, RuntimeException e) {
        r.put("ok", false);
        ObjectNode err = r.putObject("error");
        if (e instanceof DroverException d) {
            err.put("code", d.code().wire()).put("message", d.getMessage());
        } else if (e instanceof IllegalArgumentException) {
            err.put("code", io.drover.shared.domain.ErrorCode.BAD_REQUEST.wire()).put("message", e.getMessage());
        } else {
            org.slf4j.LoggerFactory.getLogger(TasksResource.class).error("bulk action on task {} failed", r.path("id").asText(), e);
            err.put("code", io.drover.shared.domain.ErrorCode.INTERNAL.wire())
                    .put("message", "internal error; the controller log has the details");
        }
    }

    private static ObjectNode commentJson(Document c) {
        return Json.object().put("id", c.getString("id")).put("author", c.getString("author"))
                .put("at", TaskJson.iso(c.get("at"))).put("text", c.getString("text"));
    }

    private static String name(String v, String what) {
        if (v == null || v.isEmpty()) return null;
        if (!Ids.isName(v)) throw DroverException.badRequest("'" + what + "' value '" + v + "' is not a valid name");
        return v;
    }
}

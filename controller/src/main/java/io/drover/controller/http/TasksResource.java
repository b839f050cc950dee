package io.drover.controller.http;

import io.drover.controller.auth.Access;
import io.drover.controller.auth.Permission;
import io.drover.controller.auth.ProjectFrom;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.drover.controller.audit.AuditLog;
import io.drover.controller.tasks.NewTask;
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

    private void list(RoutingContext ctx) {
        var p = ctx.queryParams();
        for (String k : p.names()) {
            if (!java.util.Set.of("status", "project", "queue", "tag", "sort", "offset", "limit", "archived").contains(k)) {
                throw DroverException.badRequest("unknown query parameter '" + k
                        + "'; use status, project, queue, tag, sort, offset, limit, archived");
            }
        }
        String archived = p.get("archived");
        if (archived != null && !archived.equals("true") && !archived.equals("false")) {
            throw DroverException.badRequest("'archived' must be true or false");
        }
        TaskService.ListQuery q = new TaskService.ListQuery(p.get("status"), name(p.get("project"), "project"),
                name(p.get("queue"), "queue"), name(p.get("tag"), "tag"), p.get("sort"),
                Http.intQuery(ctx, "offset", 0, 0, Integer.MAX_VALUE),
                Http.intQuery(ctx, "limit", 50, 1, TaskService.MAX_LIMIT),
                archived == null ? null : Boolean.valueOf(archived));
        if (q.status() != null) io.drover.shared.domain.TaskStatus.parse(q.status());
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

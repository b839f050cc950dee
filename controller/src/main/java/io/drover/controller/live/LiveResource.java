package io.drover.controller.live;

import io.drover.controller.auth.Access;
import io.drover.controller.auth.AuthService;
import io.drover.controller.auth.Permission;
import io.drover.controller.auth.Principal;
import io.drover.controller.auth.ProjectFrom;
import io.drover.controller.http.ApiResource;
import io.drover.controller.http.Http;
import io.drover.shared.domain.DroverException;
import io.drover.shared.domain.Ids;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.util.Optional;
import java.util.Set;

/**
 * {@code GET /stream?project=P&task=ID}: Server-Sent Events of task changes (docs/API.md, "Live
 * updates"). The route is declared AUTHENTICATED because its project comes from the query: READ
 * on the project and on the task is checked here, before any byte of the stream is sent, so a
 * caller without access gets an ordinary 403 JSON error. Nothing blocks the event loop: the check
 * runs on the store pool, the stream itself is written from the event loop.
 */
public final class LiveResource implements ApiResource {
    private static final Set<String> PARAMS = Set.of("project", "task");

    private final LiveHub hub;

    public LiveResource(LiveHub hub) {
        this.hub = hub;
    }

    @Override
    public void mount(Router api) {
        Access.route(api.get("/stream"), Permission.AUTHENTICATED).handler(this::open);
    }

    private void open(RoutingContext ctx) {
        for (String k : ctx.queryParams().names()) {
            if (!PARAMS.contains(k)) throw DroverException.badRequest("unknown query parameter '" + k + "'; use project and/or task");
        }
        String project = ctx.queryParams().get("project");
        String task = ctx.queryParams().get("task");
        if (project != null && !Ids.isName(project)) throw DroverException.badRequest("'project' value '" + project + "' is not a valid name");
        if (task != null && !Ids.isId(task)) {
            throw DroverException.badRequest("'task' value '" + task + "' is not a valid id: ids are 24 hex characters");
        }
        Principal p = Access.principal(ctx);
        AuthService auth = Access.service(ctx);
        String lease = ctx.request().getHeader(Access.LEASE_HEADER);
        Http.onStorePool(ctx, () -> {
            if (project != null) auth.authorize(p, Permission.READ, ProjectFrom.PATH, new AuthService.Target("GET", project, null, lease, null));
            if (task != null) auth.authorize(p, Permission.READ, ProjectFrom.TASK, new AuthService.Target("GET", null, task, lease, null));
            // with auth off nothing above looked the task up: an unknown one is still a 404, not a silent stream
            if (task != null && !hub.exists(task)) throw DroverException.notFound("task", task);
            if (project != null || task != null) return Optional.<Set<String>>empty();
            if (!p.isUser()) throw AuthService.forbidden("worker keys can only stream a task they hold (task=ID); use a user key or log in");
            return Optional.ofNullable(auth.readableProjects(p));
        }).onSuccess(visible -> start(ctx, project, task, visible.orElse(null)))
                .onFailure(e -> Http.error(ctx, e));
    }

    private void start(RoutingContext ctx, String project, String task, Set<String> visible) {
        HttpServerResponse res = ctx.response();
        if (res.closed() || res.ended()) return;
        res.setChunked(true).putHeader("Content-Type", "text/event-stream; charset=utf-8")
                .putHeader("Cache-Control", "no-store").putHeader("X-Accel-Buffering", "no");
        LiveConnection c = new LiveConnection(res, ctx.vertx().getOrCreateContext(), project, task, visible);
        hub.add(c);
        // headers and a first comment now: the client knows the stream is open before any event
        c.send("retry: 3000\n: connected\n\n");
    }
}

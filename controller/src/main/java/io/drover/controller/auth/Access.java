package io.drover.controller.auth;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.drover.controller.http.Http;
import io.drover.shared.domain.DroverException;
import io.drover.shared.domain.ErrorCode;
import io.vertx.core.Handler;
import io.vertx.core.WorkerExecutor;
import io.vertx.core.http.Cookie;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.ext.web.Route;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Set;

/**
 * Access control on routes: every route declares the {@link Permission} it needs and, for
 * project-scoped permissions, where its project comes from ({@link ProjectFrom}). The
 * declaration is stored as route metadata (so a test can walk the route table and find
 * undeclared routes) and adds the check as the route's first handler.
 *
 * <h2>How to declare a route (all helpers)</h2>
 * Wrap the route right where it is created, before its own handlers:
 * <pre>{@code
 * Access.route(api.get("/tasks/:id"), Permission.READ, ProjectFrom.TASK).handler(...);
 * Access.route(api.post("/tasks/:id/abort"), Permission.WRITE, ProjectFrom.TASK).handler(Http.jsonBody()).handler(...);
 * Access.route(api.put("/projects/:project/secrets/:name"), Permission.MANAGE, ProjectFrom.PATH).handler(...);
 * Access.route(api.get("/audit"), Permission.ADMIN).handler(...);          // not project-scoped
 * Access.route(root.get("/health"), Permission.PUBLIC).handler(...);
 * // project in the JSON body: pass the body handler, the check runs once the body is read
 * Access.route(api.post("/tasks"), Permission.WRITE, ProjectFrom.BODY, Http.jsonBody(LIMIT)).handler(...);
 * }</pre>
 * In handlers, {@link #principal(RoutingContext)} is the caller (with auth off: the admin
 * {@link Principal#LOCAL}); {@link #service(RoutingContext)} gives users, keys and members, and
 * {@link AuthService#readableProjects} filters listings. Route paths use {@code :project} for a
 * project and {@code :id} (or {@code :taskId}) for a task. A worker key passes READ/LEASE on a
 * task only with a matching {@code X-Drover-Lease} header.
 */
public final class Access {
    /** Route metadata keys. */
    public static final String PERMISSION = "drover.permission";
    public static final String PROJECT_FROM = "drover.projectFrom";
    /** RoutingContext keys. */
    public static final String PRINCIPAL_KEY = "drover.principal";
    static final String GUARD_KEY = "drover.access";
    /** {@code AuditLog.ACTOR_KEY}: the audit log names the caller by it. */
    static final String AUDIT_ACTOR_KEY = "drover.audit.actor";
    public static final String LEASE_HEADER = "X-Drover-Lease";
    public static final String CSRF_HEADER = "X-CSRF-Token";
    /** Where an anonymous browser asking for an HTML page is sent (the dashboard's login page). */
    public static final String LOGIN_PAGE = "/ui/login.html";

    private static final Set<HttpMethod> STATE_CHANGING = Set.of(HttpMethod.POST, HttpMethod.PUT, HttpMethod.PATCH, HttpMethod.DELETE);

    private final AuthService auth;
    private final WorkerExecutor pool;

    public Access(AuthService auth, WorkerExecutor pool) {
        this.auth = auth;
        this.pool = pool;
    }

    // ---------------------------------------------------------------- declarations

    /** A route whose permission is not project-scoped (PUBLIC, AUTHENTICATED, WORKER, ADMIN). */
    public static Route route(Route r, Permission p) {
        return route(r, p, ProjectFrom.NONE);
    }

    public static Route route(Route r, Permission p, ProjectFrom from) {
        if (from == ProjectFrom.BODY || from == ProjectFrom.BODY_NAME) {
            throw new IllegalArgumentException("a project from the body needs the body handler: use route(r, p, from, bodyHandler)");
        }
        declare(r, p, from);
        return r.handler(ctx -> guard(ctx).check(ctx, p, from, false));
    }

    /**
     * A route whose project is in its JSON body: authenticates first (no body is read for a
     * caller without credentials), then reads the body with {@code bodyHandler}, then checks.
     */
    public static Route route(Route r, Permission p, ProjectFrom from, Handler<RoutingContext> bodyHandler) {
        declare(r, p, from);
        return r.handler(ctx -> guard(ctx).check(ctx, Permission.AUTHENTICATED, ProjectFrom.NONE, true))
                .handler(bodyHandler)
                .handler(ctx -> guard(ctx).check(ctx, p, from, false));
    }

    private static void declare(Route r, Permission p, ProjectFrom from) {
        if (p.needsProject() != (from != ProjectFrom.NONE)) {
            throw new IllegalArgumentException(p + (p.needsProject() ? " needs a ProjectFrom" : " takes no project"));
        }
        r.putMetadata(PERMISSION, p).putMetadata(PROJECT_FROM, from);
    }

    /** Makes this access control available to every route of {@code top} (and its sub-routers). Call first. */
    public void install(Router top) {
        top.route().order(Integer.MIN_VALUE).handler(ctx -> {
            ctx.put(GUARD_KEY, this);
            ctx.next();
        });
    }

    // ---------------------------------------------------------------- in handlers

    /** The caller; {@link Principal#ANONYMOUS} on PUBLIC routes with auth on. */
    public static Principal principal(RoutingContext ctx) {
        Principal p = ctx.get(PRINCIPAL_KEY);
        return p == null ? Principal.ANONYMOUS : p;
    }

    public static AuthService service(RoutingContext ctx) {
        return guard(ctx).auth;
    }

    private static Access guard(RoutingContext ctx) {
        Access a = ctx.get(GUARD_KEY);
        if (a == null) throw new IllegalStateException("access control missing: build routers through ApiRouter");
        return a;
    }

    // ---------------------------------------------------------------- the check

    private void check(RoutingContext ctx, Permission p, ProjectFrom from, boolean authenticateOnly) {
        if (!auth.enabled()) {
            ctx.put(PRINCIPAL_KEY, Principal.LOCAL);
            ctx.put(AUDIT_ACTOR_KEY, Principal.LOCAL.actor());
            ctx.next();
            return;
        }
        if (p == Permission.PUBLIC) {
            ctx.next();
            return;
        }
        HttpServerRequest req = ctx.request();
        Principal known = ctx.get(PRINCIPAL_KEY);
        Cookie cookie = req.getCookie(Sessions.COOKIE);
        AuthService.Credentials creds = new AuthService.Credentials(req.getHeader("Authorization"), cookie == null ? null : cookie.getValue());
        String csrf = req.getHeader(CSRF_HEADER);
        boolean stateChanging = STATE_CHANGING.contains(req.method());
        String taskId = ctx.pathParam("id") != null ? ctx.pathParam("id") : ctx.pathParam("taskId");
        AuthService.Target t = new AuthService.Target(req.method().name(), ctx.pathParam("project"), taskId,
                req.getHeader(LEASE_HEADER), null);
        boolean pause = !req.isEnded();
        if (pause) req.pause(); // the body (or an upload stream) is read by a later handler
        pool.executeBlocking(() -> {
            Principal pr = known != null ? known : auth.authenticate(creds);
            if (known == null && pr.sessionId() != null && stateChanging && !csrfOk(csrf, pr.csrfToken())) {
                throw AuthService.forbidden("missing or wrong " + CSRF_HEADER + " header: cookie-authenticated requests that change "
                        + "state must send the csrfToken from POST /auth/login");
            }
            if (authenticateOnly) {
                auth.authorize(pr, Permission.AUTHENTICATED, ProjectFrom.NONE, t);
                if (pr.isWorker()) throw AuthService.forbidden("worker keys cannot use this endpoint; use a user key or log in");
            } else {
                AuthService.Target full = from == ProjectFrom.BODY || from == ProjectFrom.BODY_NAME
                        ? new AuthService.Target(t.method(), t.projectParam(), t.taskId(), t.leaseToken(), bodyProject(ctx, from)) : t;
                auth.authorize(pr, p, from, full);
            }
            return pr;
        }, false).onComplete(r -> {
            if (pause && !req.isEnded()) req.resume();
            if (r.succeeded()) {
                ctx.put(PRINCIPAL_KEY, r.result());
                ctx.put(AUDIT_ACTOR_KEY, r.result().actor());
                ctx.next();
            } else if (wantsLoginPage(ctx, r.cause())) {
                ctx.response().setStatusCode(302).putHeader("Location", LOGIN_PAGE).end();
            } else {
                Http.error(ctx, r.cause());
            }
        });
    }

    /** Parses the body once (on the pool), keeps it for {@link Http#body}, and reads its project field. */
    private static String bodyProject(RoutingContext ctx, ProjectFrom from) {
        ObjectNode b = Http.body(ctx);
        Http.keepParsedBody(ctx, b);
        JsonNode v = b.get(from == ProjectFrom.BODY_NAME ? "name" : "project");
        if (v == null || v.isNull()) {
            if (from == ProjectFrom.BODY_NAME) throw DroverException.badRequest("'name' is required");
            return "default";
        }
        if (!v.isTextual()) throw DroverException.badRequest("'" + (from == ProjectFrom.BODY_NAME ? "name" : "project") + "' must be a string");
        return v.asText();
    }

    private static boolean csrfOk(String presented, String expected) {
        if (presented == null || expected == null) return false;
        return MessageDigest.isEqual(presented.getBytes(StandardCharsets.UTF_8), expected.getBytes(StandardCharsets.UTF_8));
    }

    /** A browser without a session asking for a page outside the API: send it to the login page. */
    private static boolean wantsLoginPage(RoutingContext ctx, Throwable t) {
        if (!(t instanceof DroverException d) || d.code() != ErrorCode.UNAUTHORIZED) return false;
        if (ctx.request().method() != HttpMethod.GET || ctx.request().path().startsWith("/api/")) return false;
        String accept = ctx.request().getHeader("Accept");
        return accept != null && accept.contains("text/html");
    }
}

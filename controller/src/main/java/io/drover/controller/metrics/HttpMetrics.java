package io.drover.controller.metrics;

import io.drover.controller.auth.Access;
import io.drover.controller.auth.Permission;
import io.drover.controller.auth.ProjectFrom;
import io.drover.controller.http.ApiResource;
import io.drover.controller.http.RootResource;
import io.vertx.core.Handler;
import io.vertx.core.WorkerExecutor;
import io.vertx.core.buffer.Buffer;
import io.vertx.ext.web.Route;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;

/**
 * Times every HTTP request and serves {@code GET /metrics}. The {@code route} label is the
 * matched route template ({@code /api/v1/tasks/:id/logs}), never the raw path, so ids do not
 * explode the number of series; requests no route matched are labelled {@code unmatched}.
 *
 * <p>Mount {@link #root()} on the top router and {@link #apiRouteBinding()} on the {@code /api/v1} sub-router:
 * a sub-router has its own routing context, and only that one knows which of its routes matched.
 */
public final class HttpMetrics {
    private static final String TIMER = "drover.metrics.timer";
    private static final int FIRST = -1_000_000;

    private final Metrics metrics;
    private final WorkerExecutor pool;

    /** @param pool where scrapes run (the gauges query the store) */
    public HttpMetrics(Metrics metrics, WorkerExecutor pool) {
        this.metrics = metrics;
        this.pool = pool;
    }

    /** The request timer and {@code GET /metrics} on the top router. */
    public RootResource root() {
        return top -> {
            top.route().order(FIRST).handler(this::start);
            Access.route(top.get("/metrics"), Permission.AUTHENTICATED).handler(this::scrape);
        };
    }

    /**
     * Mount on the {@code /api/v1} sub-router: tells the request timer which routing context (and
     * so which route template) handles an API request. Needs no {@link Metrics}: it only marks.
     */
    public static ApiResource apiRouteBinding() {
        return api -> api.route().order(FIRST).handler(rebind());
    }

    private void start(RoutingContext ctx) {
        Timer t = new Timer(System.nanoTime(), ctx);
        ctx.put(TIMER, t);
        ctx.addBodyEndHandler(v -> metrics.httpRequest(ctx.request().method().name(), t.route(ctx.response().getStatusCode()),
                ctx.response().getStatusCode(), System.nanoTime() - t.start));
        ctx.next();
    }

    private static Handler<RoutingContext> rebind() {
        return ctx -> {
            Timer t = ctx.get(TIMER);
            if (t != null) t.ctx = ctx;
            ctx.next();
        };
    }

    private void scrape(RoutingContext ctx) {
        pool.executeBlocking(metrics::scrape, false)
                .onSuccess(bytes -> ctx.response().putHeader("Content-Type", Metrics.CONTENT_TYPE).end(Buffer.buffer(bytes)))
                .onFailure(ctx::fail);
    }

    /** Start time and the innermost routing context of one request. */
    private static final class Timer {
        final long start;
        volatile RoutingContext ctx;

        Timer(long start, RoutingContext ctx) {
            this.start = start;
            this.ctx = ctx;
        }

        String route(int status) {
            RoutingContext c = ctx;
            Route r = c.currentRoute();
            String mount = c.mountPoint() == null ? "" : c.mountPoint().replaceAll("/$", "");
            String path = r == null ? null : r.getPath();
            if (path == null && r != null && r.isRegexPath()) return r.getName() != null ? r.getName() : mount + "/*";
            if (path == null) {
                // a catch-all answered: the not-found handler, or a failure handler after an error
                return status == 404 ? "unmatched" : mount + "/*";
            }
            return r.isExactPath() ? mount + path : mount + path + "*";
        }
    }
}

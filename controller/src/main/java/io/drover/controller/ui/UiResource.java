package io.drover.controller.ui;

import io.drover.controller.auth.Access;
import io.drover.controller.auth.AuthService;
import io.drover.controller.auth.Permission;
import io.drover.controller.auth.Principal;
import io.drover.controller.http.RootResource;
import io.vertx.core.WorkerExecutor;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.StaticHandler;
import java.time.Clock;

/**
 * The minimal dashboard: {@code GET /} (task list rendered on the server) and the static files
 * of the ui-static module under {@code /ui/} (served from the classpath).
 */
public final class UiResource implements RootResource {
    /** Classpath folder of the ui-static module. */
    public static final String WEB_ROOT = "io/drover/ui";
    static final int ROWS = 200;

    private final TaskRows rows;
    private final IndexPage page;
    private final WorkerExecutor pool;
    private final Clock clock;

    public UiResource(TaskRows rows, WorkerExecutor pool, Clock clock) {
        this.rows = rows;
        this.page = new IndexPage();
        this.pool = pool;
        this.clock = clock;
    }

    @Override
    public void mount(Router root) {
        Access.route(root.get("/"), Permission.AUTHENTICATED).handler(this::index);
        Access.route(root.get("/index.html"), Permission.AUTHENTICATED).handler(this::index);
        Access.route(root.route("/ui/*"), Permission.PUBLIC).handler(StaticHandler.create(WEB_ROOT).setCachingEnabled(false).setDirectoryListing(false));
        // browser libraries packaged as WebJars (uPlot for charts); versioned paths, so cache them long
        Access.route(root.route("/webjars/*"), Permission.PUBLIC).handler(StaticHandler.create("META-INF/resources/webjars")
                .setDirectoryListing(false).setMaxAgeSeconds(86_400));
    }

    private void index(RoutingContext ctx) {
        var principal = Access.principal(ctx);
        var auth = Access.service(ctx);
        // only the projects the caller may read (null: all, for admins and with auth off)
        pool.executeBlocking(() -> page.render(rows.newest(ROWS, auth.readableProjects(principal)), clock.instant()), false)
                .onSuccess(html -> ctx.response()
                        .putHeader("Content-Type", "text/html; charset=utf-8")
                        .putHeader("Cache-Control", "no-store")
                        .putHeader("Content-Security-Policy", "default-src 'self'; style-src 'self'; script-src 'self'; object-src 'none'")
                        .end(html))
                .onFailure(ctx::fail);
    }
}

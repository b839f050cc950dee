package io.drover.controller.auth;

import static org.assertj.core.api.Assertions.assertThat;

import io.drover.controller.Controller;
import io.drover.controller.testing.TestConfig;
import io.vertx.ext.web.Route;
import io.vertx.ext.web.Router;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Walks the real controller's route table (top router and the {@code /api/v1} sub-router) and
 * fails for any route with a path or a method that does not declare a {@link Permission}.
 * Path-less, method-less routes are middleware (timers, failure handlers, the 404 catch-all).
 */
class RoutePermissionTableTest {
    @TempDir
    Path dir;

    @Test
    void everyRouteDeclaresAPermission() throws Exception {
        try (Controller c = Controller.start(TestConfig.forTest(dir))) {
            Router top = c.router();
            List<String> undeclared = new ArrayList<>();
            List<String> declared = new ArrayList<>();
            walk(top, "", undeclared, declared);
            assertThat(undeclared).as("routes without Access.route(...) declaration").isEmpty();
            // the walk really reached the API routes (a broken walk must not pass silently)
            assertThat(declared).contains("/api/v1/tasks/:id READ", "/api/v1/workers/:name/claim WORKER",
                    "/api/v1/tasks/:id/finish LEASE", "/api/v1/users ADMIN", "/health PUBLIC",
                    "/api/v1/projects/:project/members MANAGE");
            assertThat(declared.size()).isGreaterThan(40);
        }
    }

    @Test
    void aRouteWithoutDeclarationIsFound() {
        io.vertx.core.Vertx vertx = io.vertx.core.Vertx.vertx();
        try {
            Router top = Router.router(vertx);
            Router sub = Router.router(vertx);
            Access.route(sub.get("/fine"), Permission.PUBLIC).handler(ctx -> ctx.end());
            sub.post("/forgotten").handler(ctx -> ctx.end());
            top.route("/api/v1/*").subRouter(sub);
            List<String> undeclared = new ArrayList<>();
            walk(top, "", undeclared, new ArrayList<>());
            assertThat(undeclared).containsExactly("[POST] /api/v1/forgotten");
        } finally {
            vertx.close();
        }
    }

    static void walk(Router r, String prefix, List<String> undeclared, List<String> declared) {
        for (Route route : r.getRoutes()) {
            String path = route.getPath();
            if (route.getSubRouter() != null) {
                String mount = path == null ? prefix : prefix + path.replaceAll("/?\\*$", "").replaceAll("/$", "");
                walk(route.getSubRouter(), mount, undeclared, declared);
                continue;
            }
            boolean endpoint = path != null || route.isRegexPath() || (route.methods() != null && !route.methods().isEmpty());
            if (!endpoint) continue;
            Permission p = route.getMetadata(Access.PERMISSION);
            String full = prefix + (path == null ? "<regex>" : path);
            if (p == null) undeclared.add(route.methods() + " " + full);
            else declared.add(full + " " + p);
        }
    }
}

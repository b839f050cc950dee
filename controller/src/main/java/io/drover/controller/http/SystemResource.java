package io.drover.controller.http;

import io.drover.controller.auth.Access;
import io.drover.controller.auth.Permission;
import io.drover.controller.auth.ProjectFrom;
import io.drover.shared.json.Json;
import io.vertx.ext.web.Router;

/**
 * {@code GET /health} and {@code GET /version}, under {@code /api/v1} and at the root (where load
 * balancers and Kubernetes probes look for them).
 */
public final class SystemResource implements ApiResource, RootResource {
    public static final String VERSION = versionFromJar();

    @Override
    public void mount(Router api) {
        Access.route(api.get("/health"), Permission.PUBLIC).handler(ctx -> Http.json(ctx, 200, Json.object().put("status", "ok")));
        Access.route(api.get("/version"), Permission.PUBLIC).handler(ctx -> Http.json(ctx, 200, Json.object().put("version", VERSION).put("api", "v1")));
    }

    private static String versionFromJar() {
        String v = SystemResource.class.getPackage().getImplementationVersion();
        return v != null ? v : "0.1.0-SNAPSHOT";
    }
}

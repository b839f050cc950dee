package io.drover.controller.ui;

import io.drover.controller.auth.Access;
import io.drover.controller.auth.Permission;
import io.drover.controller.http.RootResource;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.StaticHandler;

/**
 * The dashboard: static ES modules of the ui-static module under {@code /ui/} (served from the
 * classpath, no build step), browser libraries as WebJars under {@code /webjars/}, and {@code /}
 * sending a signed-in browser to the experiments page {@code /ui/index.html} (an anonymous one
 * goes to the login page first: the auth layer answers before this handler).
 */
public final class UiResource implements RootResource {
    /** Classpath folder of the ui-static module. */
    public static final String WEB_ROOT = "io/drover/ui";
    /** Where {@code /} leads. */
    public static final String HOME = "/ui/index.html";
    /**
     * Scripts only from this origin (the pages never build HTML from API data, and this stops an
     * injected inline script even if one did); styles may be set inline because uPlot positions
     * its elements with style attributes.
     */
    static final String CSP = "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
            + "img-src 'self' data: blob:; connect-src 'self'; object-src 'none'; base-uri 'self'; frame-ancestors 'none'";

    public UiResource() {}

    @Override
    public void mount(Router root) {
        Access.route(root.get("/"), Permission.AUTHENTICATED).handler(UiResource::home);
        Access.route(root.get("/index.html"), Permission.AUTHENTICATED).handler(UiResource::home);
        Access.route(root.route("/ui/*"), Permission.PUBLIC).handler(UiResource::securityHeaders);
        Access.route(root.route("/ui/*"), Permission.PUBLIC).handler(StaticHandler.create(WEB_ROOT).setCachingEnabled(false).setDirectoryListing(false));
        // browser libraries packaged as WebJars (uPlot for charts); versioned paths, so cache them long
        Access.route(root.route("/webjars/*"), Permission.PUBLIC).handler(StaticHandler.create("META-INF/resources/webjars")
                .setDirectoryListing(false).setMaxAgeSeconds(86_400));
    }

    private static void home(RoutingContext ctx) {
        ctx.response().setStatusCode(302).putHeader("Location", HOME).putHeader("Cache-Control", "no-store").end();
    }

    private static void securityHeaders(RoutingContext ctx) {
        ctx.response()
                .putHeader("Content-Security-Policy", CSP)
                .putHeader("X-Content-Type-Options", "nosniff")
                .putHeader("Referrer-Policy", "same-origin");
        ctx.next();
    }
}

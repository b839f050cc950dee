package io.drover.controller.http;

import io.drover.controller.auth.Access;
import io.drover.shared.domain.ErrorCode;
import io.vertx.core.Vertx;
import io.vertx.ext.web.Router;
import java.util.List;

/**
 * Builds the server's router: {@code /api/v1} from the list of {@link ApiResource}s, then the
 * {@link RootResource}s (dashboard, metrics). Every API request carries the {@link Http.Runtime}
 * and gets JSON errors, including for unknown paths. Every route declares its permission with
 * {@link Access#route}; the {@link Access} given here is what those declarations check against.
 */
public final class ApiRouter {
    public static final String PREFIX = "/api/v1";

    private ApiRouter() {}

    public static Router build(Vertx vertx, Http.Runtime runtime, Access access, List<? extends ApiResource> api,
                               List<? extends RootResource> root) {
        Router top = Router.router(vertx);
        access.install(top);
        // Root resources first so that they can add handlers that see every request (request timing).
        Router apiRouter = Router.router(vertx);
        apiRouter.route().handler(ctx -> {
            ctx.put(Http.RUNTIME_KEY, runtime);
            ctx.response().putHeader("Cache-Control", "no-store");
            ctx.next();
        });
        for (ApiResource r : api) r.mount(apiRouter);
        apiRouter.route().failureHandler(Http::onFailure);
        apiRouter.route().handler(ctx -> Http.error(ctx, ErrorCode.NOT_FOUND,
                "no such endpoint: " + ctx.request().method() + " " + ctx.request().path() + " (see docs/API.md)"));

        for (RootResource r : root) r.mount(top);
        top.route(PREFIX + "/*").subRouter(apiRouter);
        top.route().failureHandler(Http::onFailure);
        top.errorHandler(405, Http::onFailure);
        top.errorHandler(404, Http::onFailure);
        return top;
    }
}

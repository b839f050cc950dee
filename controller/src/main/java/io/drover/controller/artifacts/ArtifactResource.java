package io.drover.controller.artifacts;

import io.drover.controller.auth.Access;
import io.drover.controller.auth.Permission;
import io.drover.controller.auth.ProjectFrom;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.drover.controller.http.ApiResource;
import io.drover.controller.http.Http;
import io.drover.shared.domain.DroverException;
import io.drover.shared.json.Json;
import io.vertx.core.file.AsyncFile;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Clock;

/**
 * {@code PUT /tasks/{id}/artifacts/{name}?epoch=n} (streamed upload by the agent, fenced by the
 * lease epoch), {@code GET /tasks/{id}/artifacts} (list) and {@code GET /tasks/{id}/artifacts/{name}}
 * (streamed download). Names may contain '/' raw or as %2F.
 *
 * <p>These routes must not be behind a body-buffering handler: the upload is piped straight to
 * the {@link ArtifactStore}.
 */
public final class ArtifactResource implements ApiResource {
    private final ArtifactStore store;
    private final ArtifactIndex index;
    private final Clock clock;

    public ArtifactResource(ArtifactStore store, ArtifactIndex index, Clock clock) {
        this.store = store;
        this.index = index;
        this.clock = clock;
    }

    @Override
    public void mount(Router api) {
        Access.route(api.put("/tasks/:id/artifacts/*"), Permission.LEASE, ProjectFrom.TASK).handler(this::upload);
        Access.route(api.get("/tasks/:id/artifacts"), Permission.READ, ProjectFrom.TASK).handler(this::list);
        Access.route(api.get("/tasks/:id/artifacts/*"), Permission.READ, ProjectFrom.TASK).handler(this::download);
    }

    private void upload(RoutingContext ctx) {
        HttpServerRequest req = ctx.request();
        // nothing may be read before the store is ready to take it; validation is async
        req.pause();
        String id;
        String name;
        long epoch;
        try {
            id = Http.pathId(ctx, "id");
            name = ArtifactNames.fromRawPath(req.path(), id);
            epoch = epochQuery(ctx);
        } catch (RuntimeException e) {
            fail(ctx, e);
            return;
        }
        // check the lease before taking a possibly large body, and again when recording it
        Http.onStorePool(ctx, () -> {
                    index.checkFence(id, epoch);
                    return null;
                })
                .compose(v -> store.put(id, name, req, declaredLength(req)))
                .map(stored -> new ArtifactEntry(name, stored.size(), stored.sha256(), ContentTypes.forName(name), clock.instant()))
                .compose(entry -> Http.onStorePool(ctx, () -> {
                    index.record(id, epoch, entry);
                    return entry;
                }))
                .compose(entry -> Http.sync(ctx).map(entry))
                .onSuccess(entry -> {
                    ObjectNode body = entry.toJson();
                    body.remove("createdAt");
                    Http.json(ctx, 201, body);
                })
                .onFailure(e -> fail(ctx, e));
    }

    /** Answers the error, then lets the rest of an unread body drain so the client gets the answer. */
    private static void fail(RoutingContext ctx, Throwable e) {
        Http.error(ctx, e);
        HttpServerRequest req = ctx.request();
        if (!req.isEnded()) {
            req.handler(b -> {});
            req.resume();
        }
    }

    private void list(RoutingContext ctx) {
        String id = Http.pathId(ctx, "id");
        Http.blocking(ctx, () -> {
            ObjectNode o = Json.object();
            ArrayNode items = o.putArray("items");
            index.list(id).forEach(e -> items.add(e.toJson()));
            return o;
        });
    }

    private void download(RoutingContext ctx) {
        String id = Http.pathId(ctx, "id");
        String name = ArtifactNames.fromRawPath(ctx.request().path(), id);
        Http.onStorePool(ctx, () -> index.find(id, name))
                .compose(entry -> store.open(id, name).map(content -> {
                    HttpServerResponse res = ctx.response();
                    res.putHeader("Content-Type", entry.contentType())
                            .putHeader("Content-Length", Long.toString(content.size()))
                            // attachment + sandbox: an uploaded HTML file must not run as the dashboard's origin
                            .putHeader("Content-Disposition", disposition(name))
                            .putHeader("Content-Security-Policy", "sandbox")
                            .putHeader("X-Content-Type-Options", "nosniff");
                    if (entry.sha256() != null) res.putHeader("ETag", "\"" + entry.sha256() + "\"");
                    return content;
                }))
                .compose(content -> content.stream().pipeTo(ctx.response())
                        .onComplete(x -> {
                            // reading to the end does not close an AsyncFile: release the handle (also when the client went away)
                            if (content.stream() instanceof AsyncFile f) f.close();
                        }))
                .onFailure(e -> {
                    if (ctx.response().headWritten()) ctx.response().reset();
                    else Http.error(ctx, e);
                });
    }

    static String disposition(String name) {
        String file = ArtifactNames.fileName(name);
        String ascii = file.replaceAll("[^A-Za-z0-9._ -]", "_");
        String utf8 = URLEncoder.encode(file, StandardCharsets.UTF_8).replace("+", "%20");
        return "attachment; filename=\"" + ascii + "\"; filename*=UTF-8''" + utf8;
    }

    /** The Content-Length of the upload, or -1 (chunked, or not a number). */
    private static long declaredLength(HttpServerRequest req) {
        try {
            String v = req.getHeader("Content-Length");
            return v == null ? -1 : Long.parseLong(v.trim());
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    private static long epochQuery(RoutingContext ctx) {
        String v = ctx.queryParams().get("epoch");
        if (v != null) {
            try {
                long e = Long.parseLong(v.trim());
                if (e >= 0) return e;
            } catch (NumberFormatException ignored) {
                // answered below
            }
        }
        throw DroverException.badRequest("query parameter 'epoch' is required: the lease epoch of the claim, e.g. ?epoch=3"
                + (v == null ? "" : " (got '" + v + "')"));
    }
}

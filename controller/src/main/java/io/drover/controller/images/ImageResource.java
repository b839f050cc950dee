package io.drover.controller.images;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.drover.controller.auth.Access;
import io.drover.controller.auth.Permission;
import io.drover.controller.auth.ProjectFrom;
import io.drover.controller.http.ApiResource;
import io.drover.controller.http.Http;
import io.drover.controller.tasks.TaskEvents;
import io.drover.shared.domain.DroverException;
import io.drover.shared.domain.ErrorCode;
import io.drover.shared.json.Json;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import java.nio.file.Files;
import java.time.Clock;
import java.time.Instant;
import java.util.Date;
import java.util.List;

/**
 * Debug images ("debug samples") of a task (docs/API.md, "Debug images"): raw image bytes per
 * (metric, variant, iteration). Like scalars and plots there are two write routes because each
 * route declares one permission: the agent's (LEASE, fenced by {@code ?epoch=}) and a user key's
 * {@code /user} route (WRITE on the task's project). Reading needs READ. Bytes live on disk
 * ({@link ImageFiles}), metadata in the store ({@link ImageStore}).
 */
public final class ImageResource implements ApiResource {
    /** Largest image accepted. */
    public static final int MAX_BYTES = 10 << 20;
    public static final int MAX_NAME = 128;
    public static final int DEFAULT_LIMIT = 50;
    public static final int MAX_LIMIT = 500;

    private final ImageStore store;
    private final ImageFiles files;
    private final TaskEvents events;
    private final Clock clock;

    public ImageResource(ImageStore store, ImageFiles files, TaskEvents events, Clock clock) {
        this.store = store;
        this.files = files;
        this.events = events;
        this.clock = clock;
    }

    @Override
    public void mount(Router api) {
        BodyHandler body = BodyHandler.create(false).setBodyLimit(MAX_BYTES).setMergeFormAttributes(false);
        Access.route(api.put("/tasks/:id/images"), Permission.LEASE, ProjectFrom.TASK)
                .handler(ctx -> precheck(ctx, true, body)).handler(ctx -> put(ctx, true)).failureHandler(ImageResource::tooLarge);
        Access.route(api.put("/tasks/:id/images/user"), Permission.WRITE, ProjectFrom.TASK)
                .handler(ctx -> precheck(ctx, false, body)).handler(ctx -> put(ctx, false)).failureHandler(ImageResource::tooLarge);
        Access.route(api.get("/tasks/:id/images"), Permission.READ, ProjectFrom.TASK).handler(this::list);
        Access.route(api.get("/tasks/:id/images/:seq"), Permission.READ, ProjectFrom.TASK).handler(this::bytes);
    }

    // ---------------------------------------------------------------- writes

    /** What an upload says about itself, checked before its body is read. */
    private record Upload(String taskId, Long epoch, String metric, String variant, long iter, String contentType) {}

    private static final String UPLOAD_KEY = "drover.images.upload";

    /** Refuses a bad query, type or declared size before reading a possibly large body, then reads it (≤ 10 MiB). */
    private void precheck(RoutingContext ctx, boolean leased, BodyHandler body) {
        try {
            String id = Http.pathId(ctx, "id");
            String type = ImageTypes.of(ctx.request().getHeader("Content-Type"));
            String len = ctx.request().getHeader("Content-Length");
            if (len != null && len.trim().matches("\\d{1,18}") && Long.parseLong(len.trim()) > MAX_BYTES) throw tooLargeError(Long.parseLong(len.trim()));
            onlyQuery(ctx, leased ? List.of("epoch", "metric", "variant", "iter") : List.of("metric", "variant", "iter"));
            Long epoch = leased ? epoch(ctx) : null;
            ctx.put(UPLOAD_KEY, new Upload(id, epoch, name(ctx, "metric", true), name(ctx, "variant", false), iter(ctx), type));
        } catch (RuntimeException e) {
            refuse(ctx, e);
            return;
        }
        try {
            body.handle(ctx); // a plain handler wrapping it: Vert.x allows a BodyHandler only before user handlers
        } catch (RuntimeException e) {
            refuse(ctx, e);
        }
    }

    private void put(RoutingContext ctx, boolean leased) {
        Upload u = ctx.get(UPLOAD_KEY);
        byte[] bytes = ctx.body() == null || ctx.body().buffer() == null ? new byte[0] : ctx.body().buffer().getBytes();
        Http.onStorePool(ctx, () -> {
                    if (bytes.length == 0) throw DroverException.badRequest("the request has no body: send the image's bytes as the body");
                    ImageTypes.checkMagic(u.contentType(), bytes);
                    store.checkTask(u.taskId(), u.epoch());
                    long seq = store.reserve(u.taskId(), u.metric(), u.variant());
                    files.write(u.taskId(), seq, u.contentType(), bytes);
                    ImageStore.Image img = new ImageStore.Image(u.taskId(), seq, u.metric(), u.variant(), u.iter(), Date.from(clock.instant()),
                            bytes.length, u.contentType());
                    for (ImageStore.Image gone : store.add(img)) files.delete(gone.taskId(), gone.seq(), gone.contentType());
                    return img;
                })
                .compose(img -> Http.sync(ctx).map(img))
                .onSuccess(img -> {
                    events.report(u.taskId(), "image");
                    Http.json(ctx, 201, Json.object().put("seq", img.seq()).put("metric", img.metric()).put("variant", img.variant())
                            .put("iter", img.iter()).put("size", img.size()).put("contentType", img.contentType()));
                })
                .onFailure(e -> Http.error(ctx, e));
    }

    /** Answers the error, then lets the rest of an unread body drain so the client gets the answer. */
    private static void refuse(RoutingContext ctx, Throwable e) {
        Http.error(ctx, e);
        HttpServerRequest req = ctx.request();
        if (!req.isEnded()) {
            req.handler(b -> {});
            req.resume();
        }
    }

    private static DroverException tooLargeError(Long size) {
        return new DroverException(ErrorCode.PAYLOAD_TOO_LARGE, "image is " + (size == null ? "larger than 10 MiB" : size + " bytes")
                + "; at most 10 MiB per image: scale it down or save it as PNG/JPEG (large files belong in artifacts)");
    }

    /** The body handler fails with a bare 413: say what the limit is. */
    private static void tooLarge(RoutingContext ctx) {
        if (ctx.failure() == null && ctx.statusCode() == 413) {
            Http.error(ctx, tooLargeError(null));
        } else {
            ctx.next();
        }
    }

    // ---------------------------------------------------------------- reads

    private void list(RoutingContext ctx) {
        String id = Http.pathId(ctx, "id");
        onlyQuery(ctx, List.of("metric", "variant", "limit", "before"));
        int limit = Http.intQuery(ctx, "limit", DEFAULT_LIMIT, 1, MAX_LIMIT);
        Long before = ctx.queryParams().get("before") == null ? null : seq(ctx.queryParams().get("before"), "before");
        String metric = name(ctx, "metric", false);
        String variant = ctx.queryParams().get("variant") == null ? null : name(ctx, "variant", false);
        Http.blocking(ctx, () -> {
            store.checkTask(id, null);
            ImageStore.Page p = store.list(id, metric, variant, before, limit);
            ObjectNode o = Json.object();
            ArrayNode items = o.putArray("items");
            for (ImageStore.Image i : p.items()) {
                items.addObject().put("seq", i.seq()).put("metric", i.metric()).put("variant", i.variant()).put("iter", i.iter())
                        .put("ts", Instant.ofEpochMilli(i.ts().getTime()).toString()).put("size", i.size()).put("contentType", i.contentType());
            }
            if (p.next() != null) o.put("next", p.next());
            else o.putNull("next");
            return o;
        });
    }

    private void bytes(RoutingContext ctx) {
        String id = Http.pathId(ctx, "id");
        long seq = seq(ctx.pathParam("seq"), "seq");
        Http.onStorePool(ctx, () -> {
                    ImageStore.Image img = store.get(id, seq);
                    if (img == null) {
                        store.checkTask(id, null); // an unknown task says so
                        throw DroverException.notFound("image", id + "/" + seq);
                    }
                    java.nio.file.Path file = files.file(id, seq, img.contentType());
                    if (!Files.isRegularFile(file)) throw DroverException.notFound("image", id + "/" + seq);
                    return new Found(img, file.toString());
                })
                .onSuccess(f -> {
                    // seq is never reused within a task: the bytes behind this URL never change
                    ctx.response().putHeader("Content-Type", f.img().contentType())
                            .putHeader("Cache-Control", "private, max-age=31536000, immutable")
                            .putHeader("ETag", "\"" + id + "-" + seq + "\"")
                            .putHeader("X-Content-Type-Options", "nosniff")
                            .putHeader("Content-Security-Policy", "sandbox")
                            .putHeader("Content-Disposition", "inline; filename=\"" + seq + "." + ImageTypes.extension(f.img().contentType()) + "\"");
                    ctx.response().sendFile(f.file()).onFailure(e -> {
                        if (!ctx.response().headWritten()) Http.error(ctx, DroverException.notFound("image", id + "/" + seq));
                        else ctx.response().reset();
                    });
                })
                .onFailure(e -> Http.error(ctx, e));
    }

    private record Found(ImageStore.Image img, String file) {}

    // ---------------------------------------------------------------- query parameters

    private static Long epoch(RoutingContext ctx) {
        String v = ctx.queryParams().get("epoch");
        if (v != null && v.trim().matches("\\d{1,18}")) return Long.parseLong(v.trim());
        throw DroverException.badRequest("query parameter 'epoch' is required on the agent route: the lease epoch of the claim, e.g. ?epoch=3"
                + (v == null ? "" : " (got '" + v + "')") + "; a user key sends images to /images/user without it");
    }

    private static long iter(RoutingContext ctx) {
        String v = ctx.queryParams().get("iter");
        if (v != null && v.trim().matches("\\d{1,18}")) return Long.parseLong(v.trim());
        throw DroverException.badRequest("query parameter 'iter' is required: the iteration of the image, a whole number >= 0"
                + (v == null ? "" : " (got '" + v + "')"));
    }

    /** metric (1-128) or variant (0-128, default ""): no control characters. */
    private static String name(RoutingContext ctx, String param, boolean required) {
        String v = ctx.queryParams().get(param);
        if (v == null) {
            if (required) throw DroverException.badRequest("query parameter '" + param + "' is required: the image's title, 1-" + MAX_NAME + " characters");
            return param.equals("variant") ? "" : null;
        }
        if ((required && v.isEmpty()) || v.length() > MAX_NAME) {
            throw DroverException.badRequest("query parameter '" + param + "' must be " + (required ? "1" : "0") + "-" + MAX_NAME + " characters, got " + v.length());
        }
        for (int i = 0; i < v.length(); i++) {
            if (Character.isISOControl(v.charAt(i))) throw DroverException.badRequest("query parameter '" + param + "' must not contain control characters");
        }
        return v;
    }

    private static long seq(String v, String what) {
        if (v != null && v.trim().matches("\\d{1,18}") && Long.parseLong(v.trim()) >= 1) return Long.parseLong(v.trim());
        throw DroverException.badRequest("'" + v + "' is not a valid " + what + ": use the 'seq' of an image from the listing (1, 2, ...)");
    }

    /** A misspelt query parameter must not silently do nothing. */
    private static void onlyQuery(RoutingContext ctx, List<String> allowed) {
        for (String n : ctx.queryParams().names()) {
            if (!allowed.contains(n)) {
                throw DroverException.badRequest("unknown query parameter '" + n + "'; allowed: " + String.join(", ", allowed));
            }
        }
    }
}

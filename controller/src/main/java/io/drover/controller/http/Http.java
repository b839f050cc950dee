package io.drover.controller.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.drover.controller.store.Durability;
import io.drover.controller.store.StoreOutage;
import io.drover.shared.domain.DroverException;
import io.drover.shared.domain.ErrorCode;
import io.drover.shared.domain.Ids;
import io.drover.shared.json.Json;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.WorkerExecutor;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * How every resource reads requests and answers: JSON bodies (malformed → 400, too large → 413,
 * unknown fields → 400 naming the field), store work off the event loop on the bounded
 * {@code drover-store} pool, errors as {@code {"error":{"code","message"}}} with the status of
 * their {@link ErrorCode}. A store outage is a 503 with a Retry-After ({@link StoreOutage}).
 * Unexpected exceptions are logged and answered with a generic 500 that does not leak internals.
 *
 * <p>Typical route: {@code api.post("/tasks").handler(Http.jsonBody()).handler(ctx -> Http.write(ctx, 201, () -> ...))}.
 */
public final class Http {
    private static final Logger log = LoggerFactory.getLogger(Http.class);

    /** JSON request bodies above this are refused with 413. */
    public static final long JSON_LIMIT = 1L << 20;
    static final String RUNTIME_KEY = "drover.http.runtime";
    private static final String PARSED_BODY_KEY = "drover.http.parsedBody";

    /** What {@link #blocking} needs, put on each request by {@link ApiRouter}. */
    public record Runtime(WorkerExecutor storePool, Durability durability) {}

    private Http() {}

    // ---------------------------------------------------------------- request bodies

    /** Buffers a JSON body up to {@link #JSON_LIMIT}; larger → 413. Put it before the route's handler. */
    public static Handler<RoutingContext> jsonBody() {
        return jsonBody(JSON_LIMIT);
    }

    /** Same with another limit (log batches, task creation with a diff). */
    public static Handler<RoutingContext> jsonBody(long limitBytes) {
        BodyHandler body = BodyHandler.create(false).setBodyLimit(limitBytes).setMergeFormAttributes(false);
        return ctx -> {
            String type = ctx.request().getHeader("Content-Type");
            if (type != null && !type.isBlank() && !type.toLowerCase().contains("json")) {
                error(ctx, new DroverException(ErrorCode.UNSUPPORTED_MEDIA_TYPE,
                        "request body has Content-Type '" + type + "'; send JSON with Content-Type: application/json"));
                return;
            }
            body.handle(ctx);
        };
    }

    /**
     * The request body as a JSON object; an empty body is {@code {}}.
     *
     * @throws DroverException bad_request when it is not JSON or not an object
     */
    public static ObjectNode body(RoutingContext ctx) {
        ObjectNode kept = ctx.get(PARSED_BODY_KEY);
        if (kept != null) return kept;
        String s = ctx.body() == null ? null : ctx.body().asString();
        if (s == null || s.isBlank()) return Json.object();
        JsonNode n;
        try {
            n = Json.parse(s);
        } catch (IllegalArgumentException e) {
            throw DroverException.badRequest("request body is not valid JSON (" + e.getMessage() + ")");
        }
        if (!(n instanceof ObjectNode o)) {
            throw DroverException.badRequest("request body must be a JSON object, got " + n.getNodeType().name().toLowerCase());
        }
        return o;
    }

    /**
     * Keeps a body already parsed (by the access check of a route whose project is in its body),
     * so {@link #body} does not parse a large body twice.
     */
    public static void keepParsedBody(RoutingContext ctx, ObjectNode body) {
        ctx.put(PARSED_BODY_KEY, body);
    }

    /** Refuses any field not in {@code allowed}: a typo must not silently do nothing. */
    public static void requireOnly(JsonNode node, String... allowed) {
        requireOnlyIn(null, node, allowed);
    }

    /** Same for a nested object; the message names the field as {@code where.field}. */
    public static void requireOnlyIn(String where, JsonNode node, String... allowed) {
        Set<String> ok = Set.of(allowed);
        for (Iterator<String> it = node.fieldNames(); it.hasNext(); ) {
            String f = it.next();
            if (!ok.contains(f)) {
                throw DroverException.badRequest("unknown field '" + (where == null ? "" : where + ".") + f
                        + "'; allowed fields" + (where == null ? "" : " in " + where) + ": " + String.join(", ", sorted(allowed)));
            }
        }
    }

    private static List<String> sorted(String[] a) {
        String[] c = a.clone();
        Arrays.sort(c);
        return List.of(c);
    }

    // ---------------------------------------------------------------- path and query parameters

    /** A path parameter that must be an id: malformed → 400 (an unknown one is the resource's 404). */
    public static String pathId(RoutingContext ctx, String param) {
        String v = ctx.pathParam(param);
        if (!Ids.isId(v)) {
            throw DroverException.badRequest("'" + v + "' is not a valid id: ids are 24 hex characters (as printed by 'drover ls')");
        }
        return v;
    }

    /** A path parameter that must be a name (project, queue, worker). */
    public static String pathName(RoutingContext ctx, String param, String what) {
        String v = ctx.pathParam(param);
        if (!Ids.isName(v)) {
            throw DroverException.badRequest(what + " name '" + v
                    + "' is not valid: use 1-64 letters, digits, '.', '_' or '-', starting with a letter or digit");
        }
        return v;
    }

    /** An integer query parameter within [min, max], or {@code def} when absent. */
    public static int intQuery(RoutingContext ctx, String name, int def, int min, int max) {
        String v = ctx.queryParams().get(name);
        if (v == null || v.isBlank()) return def;
        int i;
        try {
            i = Integer.parseInt(v.trim());
        } catch (NumberFormatException e) {
            throw DroverException.badRequest("query parameter '" + name + "' must be a whole number, got '" + v + "'");
        }
        if (i < min || i > max) {
            throw DroverException.badRequest("query parameter '" + name + "' must be between " + min + " and " + max + ", got " + i);
        }
        return i;
    }

    // ---------------------------------------------------------------- running store work

    /**
     * Runs read-only store work on the {@code drover-store} pool and answers 200 with its result as
     * JSON (or a {@link Reply} for another status). Exceptions become error responses.
     */
    public static void blocking(RoutingContext ctx, Callable<Object> work) {
        run(ctx, 200, work, false);
    }

    /**
     * Runs state-changing store work on the pool, waits until the store has made it durable
     * ({@link Durability#sync()}), then answers {@code status} with the result as JSON. Only then
     * is the change acknowledged, so it survives a crash of the controller.
     */
    public static void write(RoutingContext ctx, int status, Callable<Object> work) {
        run(ctx, status, work, true);
    }

    /** The store pool, for handlers that compose several steps themselves (long-polls). */
    public static <T> Future<T> onStorePool(RoutingContext ctx, Callable<T> work) {
        return runtime(ctx).storePool().executeBlocking(work, false);
    }

    /** A future completing when earlier writes are durable. */
    public static Future<Void> sync(RoutingContext ctx) {
        return Future.fromCompletionStage(runtime(ctx).durability().sync(), ctx.vertx().getOrCreateContext());
    }

    private static void run(RoutingContext ctx, int status, Callable<Object> work, boolean durable) {
        Runtime rt;
        try {
            rt = runtime(ctx);
        } catch (RuntimeException e) {
            error(ctx, e);
            return;
        }
        // ordered=false: requests run in parallel on the pool; serialize to a String there, not on the loop
        Future<Object> f = rt.storePool().executeBlocking(() -> encode(status, work.call()), false);
        if (durable) {
            f = f.compose(result -> Future.fromCompletionStage(rt.durability().sync(), ctx.vertx().getOrCreateContext())
                    .map(v -> result));
        }
        f.onSuccess(r -> send(ctx, (Encoded) r)).onFailure(e -> error(ctx, e));
    }

    private record Encoded(int status, String json) {}

    private static Encoded encode(int defaultStatus, Object result) {
        if (result instanceof Reply r) return new Encoded(r.status(), r.body() == null ? null : Json.write(r.body()));
        if (result == null) return new Encoded(204, null);
        return new Encoded(defaultStatus, Json.write(result));
    }

    /** Writes the answer; the future fails when the client hung up before it could be written. */
    private static Future<Void> send(RoutingContext ctx, Encoded e) {
        if (e.status() < 500) StoreOutage.get().succeeded(); // ends a store outage (logged once) when requests work again
        HttpServerResponse res = ctx.response();
        if (res.ended() || res.closed()) return Future.failedFuture("the client hung up before the answer was written");
        res.setStatusCode(e.status());
        return e.json() == null ? res.end() : res.putHeader("Content-Type", "application/json").end(e.json());
    }

    /** Answers 200 with {@code body} as JSON; for results already at hand on the event loop. */
    public static void json(RoutingContext ctx, int status, Object body) {
        send(ctx, new Encoded(status, body == null ? null : Json.write(body)));
    }

    /**
     * Same, with the write's outcome, for an answer that must not be lost unseen (a claim): it
     * fails when the client hung up, also when the connection reports the hang-up only after the
     * socket shut and the write went nowhere.
     */
    public static Future<Void> jsonWritten(RoutingContext ctx, int status, Object body) {
        return send(ctx, new Encoded(status, body == null ? null : Json.write(body)));
    }

    static Runtime runtime(RoutingContext ctx) {
        Runtime rt = ctx.get(RUNTIME_KEY);
        if (rt == null) throw new IllegalStateException("Http runtime missing: mount routes through ApiRouter");
        return rt;
    }

    // ---------------------------------------------------------------- errors

    /** Answers an error: DroverException → its code; IllegalArgumentException → 400; anything else → 500. */
    public static void error(RoutingContext ctx, Throwable t) {
        while ((t instanceof CompletionException || t instanceof java.util.concurrent.ExecutionException) && t.getCause() != null) {
            t = t.getCause();
        }
        ErrorCode code;
        String message;
        if (t instanceof TooManyRequests r && !ctx.response().ended()) {
            ctx.response().putHeader("Retry-After", Long.toString(r.retryAfterSeconds()));
        }
        java.util.Optional<String> storeDown = StoreOutage.kind(t);
        if (storeDown.isPresent()) {
            storeUnavailable(ctx, storeDown.get(), t);
            return;
        }
        if (t instanceof DroverException d) {
            code = d.code();
            message = d.getMessage();
        } else if (t instanceof IllegalArgumentException) {
            code = ErrorCode.BAD_REQUEST;
            message = t.getMessage();
        } else if (t instanceof io.vertx.core.VertxException && String.valueOf(t.getMessage()).contains("'Host' header")) {
            // Vert.x refuses a missing or malformed Host header when a handler asks for the authority
            code = ErrorCode.BAD_REQUEST;
            message = "the request's Host header is missing or malformed: send host[:port]";
        } else {
            code = ErrorCode.INTERNAL;
            message = "internal error while handling " + ctx.request().method() + " " + ctx.request().path()
                    + "; the controller log has the details";
            log.error("{} {} failed", ctx.request().method(), ctx.request().path(), t);
        }
        error(ctx, code, message);
    }

    /**
     * The store is unreachable: 503 {@code unavailable} with reason {@code store_unavailable} and a
     * Retry-After, so clients wait and retry (agents keep their tasks running); logged once per outage.
     */
    private static void storeUnavailable(RoutingContext ctx, String kind, Throwable t) {
        StoreOutage.get().failed(kind, t);
        HttpServerResponse res = ctx.response();
        if (res.ended() || res.closed()) return;
        ObjectNode body = Json.object();
        ObjectNode e = body.putObject("error");
        e.put("code", ErrorCode.UNAVAILABLE.wire());
        e.put("reason", StoreOutage.REASON);
        e.put("message", StoreOutage.message(kind));
        res.setStatusCode(ErrorCode.UNAVAILABLE.http())
                .putHeader("Retry-After", Integer.toString(StoreOutage.RETRY_AFTER_SECONDS))
                .putHeader("Content-Type", "application/json").end(Json.write(body));
    }

    public static void error(RoutingContext ctx, ErrorCode code, String message) {
        HttpServerResponse res = ctx.response();
        if (res.ended() || res.closed()) return;
        ObjectNode body = Json.object();
        ObjectNode e = body.putObject("error");
        e.put("code", code.wire());
        e.put("message", message);
        res.setStatusCode(code.http()).putHeader("Content-Type", "application/json").end(Json.write(body));
    }

    /** Failure handler for routes: errors thrown in handlers or {@code ctx.fail(status)} (body too large …). */
    public static void onFailure(RoutingContext ctx) {
        if (ctx.failure() != null) {
            error(ctx, ctx.failure());
            return;
        }
        int sc = ctx.statusCode();
        switch (sc) {
            case 413 -> error(ctx, ErrorCode.PAYLOAD_TOO_LARGE,
                    "request body is too large; JSON bodies are limited to 1 MiB (send big files as artifacts)");
            case 400 -> error(ctx, ErrorCode.BAD_REQUEST, "bad request");
            case 404 -> error(ctx, ErrorCode.NOT_FOUND, "no such endpoint: " + ctx.request().method() + " " + ctx.request().path());
            case 405 -> error(ctx, ErrorCode.BAD_REQUEST, "method " + ctx.request().method() + " is not allowed on " + ctx.request().path());
            case 415 -> error(ctx, ErrorCode.UNSUPPORTED_MEDIA_TYPE, "send JSON with Content-Type: application/json");
            default -> error(ctx, ErrorCode.INTERNAL, "request failed with status " + sc);
        }
    }
}

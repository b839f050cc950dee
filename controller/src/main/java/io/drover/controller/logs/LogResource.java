package io.drover.controller.logs;

import io.drover.controller.auth.Access;
import io.drover.controller.auth.Permission;
import io.drover.controller.auth.ProjectFrom;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.drover.controller.http.ApiResource;
import io.drover.controller.http.Http;
import io.drover.shared.domain.DroverException;
import io.drover.shared.domain.ErrorCode;
import io.drover.shared.json.Json;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.time.Clock;
import java.time.Duration;

/**
 * {@code POST /tasks/{id}/logs} (agent batches), {@code GET /tasks/{id}/logs} (paged, with an
 * optional long-poll) and {@code GET /tasks/{id}/logs/download} (the whole console as text).
 */
public final class LogResource implements ApiResource {
    /** Longest long-poll a client may ask for. */
    public static final int MAX_WAIT_SECONDS = 30;
    public static final int DEFAULT_LIMIT = 1000;
    public static final int MAX_LIMIT = 10_000;
    private static final int DOWNLOAD_PAGE = 4 * LogStore.CHUNK_LINES;

    private final LogStore store;
    private final Clock clock;

    private final io.drover.controller.tasks.TaskEvents events;

    public LogResource(LogStore store, Clock clock) {
        this(store, clock, new io.drover.controller.tasks.TaskEvents());
    }

    /** @param events told of every stored batch ({@code logs(id, next)}, for live streams) */
    public LogResource(LogStore store, Clock clock, io.drover.controller.tasks.TaskEvents events) {
        this.store = store;
        this.clock = clock;
        this.events = events;
    }

    @Override
    public void mount(Router api) {
        Access.route(api.post("/tasks/:id/logs"), Permission.LEASE, ProjectFrom.TASK).handler(Http.jsonBody(LogBatch.MAX_BODY_BYTES)).handler(this::append)
                .failureHandler(LogResource::tooLarge);
        Access.route(api.get("/tasks/:id/logs"), Permission.READ, ProjectFrom.TASK).handler(this::read);
        Access.route(api.get("/tasks/:id/logs/download"), Permission.READ, ProjectFrom.TASK).handler(this::download);
    }

    private void append(RoutingContext ctx) {
        String id = Http.pathId(ctx, "id");
        // parse on the pool: a batch may be 2 MiB of JSON
        Http.write(ctx, 200, () -> {
            LogBatch batch = LogBatch.parse(Http.body(ctx), clock.instant());
            long next = store.append(id, batch);
            events.logs(id, next);
            return Json.object().put("next", next);
        });
    }

    /** The body handler fails with a bare 413: say what the limit is for this route. */
    private static void tooLarge(RoutingContext ctx) {
        if (ctx.failure() == null && ctx.statusCode() == 413) {
            Http.error(ctx, ErrorCode.PAYLOAD_TOO_LARGE, "log batch is larger than 2 MiB; send at most 2 MiB and "
                    + LogBatch.MAX_LINES + " lines per batch (split it into several batches)");
        } else {
            ctx.next();
        }
    }

    private void read(RoutingContext ctx) {
        String id = Http.pathId(ctx, "id");
        long after = longQuery(ctx, "after");
        int limit = Http.intQuery(ctx, "limit", DEFAULT_LIMIT, 1, MAX_LIMIT);
        int wait = Http.intQuery(ctx, "wait", 0, 0, MAX_WAIT_SECONDS);
        String search = ctx.queryParams().get("search");
        if (search != null) {
            // filtered reading (LogSearch): scans at most LogSearch.MAX_SCAN lines a call, never long-polls
            if (wait > 0) throw DroverException.badRequest("'search' cannot be combined with 'wait': search the lines stored so far, "
                    + "then follow with after=<next> (and wait) without search");
            LogSearch.check(search);
            Http.blocking(ctx, () -> {
                LogSearch.Result r = new LogSearch(store).search(id, search, after, limit);
                return render(r.page()).put("more", r.more());
            });
            return;
        }
        if (wait == 0) {
            Http.blocking(ctx, () -> render(store.read(id, after, limit)));
            return;
        }
        // register before the first read so that an append in between still wakes us
        LogWaiters.Waiter waiter = store.waiters().register(id);
        ctx.response().closeHandler(v -> waiter.cancel());
        Http.onStorePool(ctx, () -> store.read(id, after, limit))
                .compose(page -> {
                    if (!page.lines().isEmpty() || LogStore.isFinal(page.status())) {
                        waiter.cancel();
                        return Future.succeededFuture(page);
                    }
                    return waiter.await(ctx.vertx(), Duration.ofSeconds(wait))
                            .compose(v -> Http.onStorePool(ctx, () -> store.read(id, after, limit)));
                })
                .onSuccess(page -> Http.json(ctx, 200, render(page)))
                .onFailure(e -> {
                    waiter.cancel();
                    Http.error(ctx, e);
                });
    }

    private void download(RoutingContext ctx) {
        String id = Http.pathId(ctx, "id");
        // the first page decides between 404 and 200 before any header is sent
        Http.onStorePool(ctx, () -> store.read(id, 0, DOWNLOAD_PAGE))
                .onSuccess(first -> {
                    HttpServerResponse res = ctx.response();
                    res.setChunked(true)
                            .putHeader("Content-Type", "text/plain; charset=utf-8")
                            .putHeader("Content-Disposition", "inline; filename=\"" + id + ".log\"");
                    streamFrom(ctx, id, first);
                })
                .onFailure(e -> Http.error(ctx, e));
    }

    /** Writes a page, then fetches the next one once the response has room: big logs never sit in memory. */
    private void streamFrom(RoutingContext ctx, String id, LogPage page) {
        HttpServerResponse res = ctx.response();
        if (res.closed()) return;
        if (page.lines().isEmpty()) {
            res.end();
            return;
        }
        Buffer buf = Buffer.buffer();
        for (LogLine l : page.lines()) buf.appendString(l.text()).appendString("\n");
        res.write(buf);
        Runnable next = () -> Http.onStorePool(ctx, () -> store.read(id, page.next(), DOWNLOAD_PAGE))
                .onSuccess(p -> streamFrom(ctx, id, p))
                .onFailure(e -> res.reset());
        if (res.writeQueueFull()) {
            res.drainHandler(v -> next.run());
        } else {
            next.run();
        }
    }

    static ObjectNode render(LogPage page) {
        ObjectNode o = Json.object();
        ArrayNode lines = o.putArray("lines");
        for (LogLine l : page.lines()) {
            lines.addObject().put("seq", l.seq()).put("ts", l.ts()).put("stream", l.stream()).put("text", l.text());
        }
        o.put("next", page.next());
        o.put("status", page.status());
        return o;
    }

    private static long longQuery(RoutingContext ctx, String name) {
        String v = ctx.queryParams().get(name);
        if (v == null || v.isBlank()) return 0;
        try {
            long l = Long.parseLong(v.trim());
            if (l >= 0) return l;
        } catch (NumberFormatException e) {
            // answered below
        }
        throw new DroverException(ErrorCode.BAD_REQUEST, "query parameter '" + name
                + "' must be a line number (0 or more; the 'next' of the previous answer), got '" + v + "'");
    }
}

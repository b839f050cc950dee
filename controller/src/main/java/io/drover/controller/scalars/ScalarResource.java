package io.drover.controller.scalars;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.drover.controller.auth.Access;
import io.drover.controller.auth.Permission;
import io.drover.controller.auth.ProjectFrom;
import io.drover.controller.http.ApiResource;
import io.drover.controller.http.Http;
import io.drover.shared.domain.DroverException;
import io.drover.shared.domain.ErrorCode;
import io.drover.shared.json.Json;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Scalar metrics of a task (docs/API.md, "Scalars"). Writing has two routes, because the two
 * writers prove different things and {@link Access} declares exactly one permission per route:
 * {@code POST /tasks/{id}/scalars} for the agent (LEASE: worker key + {@code X-Drover-Lease},
 * fenced by the lease epoch, idempotent per batch number) and {@code POST /tasks/{id}/scalars/user}
 * for a user key with WRITE on the task's project (a run tracked from a laptop; no epoch).
 * Reading needs READ.
 */
public final class ScalarResource implements ApiResource {
    public static final int DEFAULT_MAX_POINTS = 2000;
    public static final int MAX_MAX_POINTS = 10_000;
    public static final int DEFAULT_RAW_LIMIT = 10_000;
    public static final int MAX_RAW_LIMIT = 100_000;

    private final ScalarStore store;
    private final SeriesReader reader;
    private final Clock clock;

    private final io.drover.controller.tasks.TaskEvents events;

    public ScalarResource(ScalarStore store, Clock clock) {
        this(store, clock, new io.drover.controller.tasks.TaskEvents());
    }

    /** @param events told of stored points ({@code scalars}) and of the task's new metrics ({@code changed}) */
    public ScalarResource(ScalarStore store, Clock clock, io.drover.controller.tasks.TaskEvents events) {
        this.store = store;
        this.reader = new SeriesReader(store);
        this.clock = clock;
        this.events = events;
    }

    @Override
    public void mount(Router api) {
        Access.route(api.post("/tasks/:id/scalars"), Permission.LEASE, ProjectFrom.TASK)
                .handler(Http.jsonBody(ScalarBatch.MAX_BODY_BYTES)).handler(ctx -> append(ctx, true)).failureHandler(ScalarResource::tooLarge);
        Access.route(api.post("/tasks/:id/scalars/user"), Permission.WRITE, ProjectFrom.TASK)
                .handler(Http.jsonBody(ScalarBatch.MAX_BODY_BYTES)).handler(ctx -> append(ctx, false)).failureHandler(ScalarResource::tooLarge);
        Access.route(api.get("/tasks/:id/scalars"), Permission.READ, ProjectFrom.TASK).handler(this::list);
        Access.route(api.get("/tasks/:id/scalars/:metric"), Permission.READ, ProjectFrom.TASK).handler(this::series);
    }

    private void append(RoutingContext ctx, boolean leased) {
        String id = Http.pathId(ctx, "id");
        Http.write(ctx, 200, () -> {
            Instant now = clock.instant();
            ScalarBatch b = ScalarBatch.parse(Http.body(ctx), now);
            if (!leased && b.epoch() != null) {
                throw DroverException.badRequest("'epoch' is for the agent route POST /tasks/{id}/scalars; a user key sends batches without it");
            }
            ScalarStore.Appended a = leased ? store.appendLeased(id, b) : store.appendUnleased(id, b);
            if (a.stored() > 0) {
                java.util.Set<String> series = new java.util.LinkedHashSet<>();
                for (ScalarBatch.Point p : b.points()) series.add(p.variant().isEmpty() ? p.metric() : p.metric() + "/" + p.variant());
                events.changed(id); // metrics.<series> on the task document moved
                events.scalars(id, series);
            }
            return Json.object().put("stored", a.stored()).put("duplicate", a.duplicate());
        });
    }

    private static void tooLarge(RoutingContext ctx) {
        if (ctx.failure() == null && ctx.statusCode() == 413) {
            Http.error(ctx, ErrorCode.PAYLOAD_TOO_LARGE, "scalar batch is larger than 4 MiB; send at most "
                    + ScalarBatch.MAX_POINTS + " points per batch (split it into several batches)");
        } else {
            ctx.next();
        }
    }

    private void list(RoutingContext ctx) {
        String id = Http.pathId(ctx, "id");
        Http.blocking(ctx, () -> {
            ObjectNode o = Json.object();
            ArrayNode items = o.putArray("items");
            for (SeriesSummary s : store.list(id)) items.add(summary(s));
            return o;
        });
    }

    private void series(RoutingContext ctx) {
        String id = Http.pathId(ctx, "id");
        String metric = ctx.pathParam("metric");
        String variant = ctx.queryParams().get("variant") == null ? "" : ctx.queryParams().get("variant");
        boolean raw = bool(ctx, "raw");
        String x = ctx.queryParams().get("x") == null ? "iter" : ctx.queryParams().get("x");
        if (!x.equals("iter") && !x.equals("time")) throw DroverException.badRequest("query parameter 'x' must be 'iter' or 'time', got '" + x + "'");
        int maxPoints = Http.intQuery(ctx, "maxPoints", DEFAULT_MAX_POINTS, 1, MAX_MAX_POINTS);
        int limit = Http.intQuery(ctx, "limit", DEFAULT_RAW_LIMIT, 1, MAX_RAW_LIMIT);
        long after = longQuery(ctx, "after", -1);
        Http.blocking(ctx, () -> render(raw ? reader.raw(id, metric, variant, after, limit) : reader.chart(id, metric, variant, maxPoints),
                x.equals("time")));
    }

    private static ObjectNode render(SeriesReader.Chart c, boolean byTime) {
        ObjectNode o = summary(c.summary());
        o.put("downsampled", c.downsampled());
        o.put("x", byTime ? "time" : "iter");
        if (c.downsampled()) {
            List<BucketSummary> bs = new ArrayList<>(c.buckets());
            if (byTime) bs.sort(Comparator.comparingLong(BucketSummary::ts0));
            ArrayNode arr = o.putArray("buckets");
            for (BucketSummary b : bs) {
                arr.addObject().put("iter0", b.iter0()).put("iter1", b.iter1()).put("ts0", Instant.ofEpochMilli(b.ts0()).toString())
                        .put("ts1", Instant.ofEpochMilli(b.ts1()).toString()).put("n", b.n()).put("min", b.min()).put("max", b.max())
                        .put("avg", b.avg());
            }
        } else {
            List<RawPoint> ps = new ArrayList<>(c.points());
            if (byTime) ps.sort(Comparator.comparingLong(RawPoint::ts));
            ArrayNode arr = o.putArray("points");
            for (RawPoint p : ps) arr.addObject().put("iter", p.iter()).put("value", p.value()).put("ts", Instant.ofEpochMilli(p.ts()).toString());
        }
        if (c.next() != null) o.put("next", c.next());
        else o.putNull("next");
        return o;
    }

    static ObjectNode summary(SeriesSummary s) {
        ObjectNode o = Json.object().put("metric", s.metric()).put("variant", s.variant()).put("count", s.count())
                .put("last", s.last()).put("min", s.min()).put("max", s.max()).put("iter", s.iter());
        o.put("ts", Instant.ofEpochMilli(s.lastTs()).toString());
        return o;
    }

    private static boolean bool(RoutingContext ctx, String name) {
        String v = ctx.queryParams().get(name);
        if (v == null || v.isBlank() || v.equals("false")) return false;
        if (v.equals("true")) return true;
        throw DroverException.badRequest("query parameter '" + name + "' must be true or false, got '" + v + "'");
    }

    private static long longQuery(RoutingContext ctx, String name, long def) {
        String v = ctx.queryParams().get(name);
        if (v == null || v.isBlank()) return def;
        try {
            return Long.parseLong(v.trim());
        } catch (NumberFormatException e) {
            throw DroverException.badRequest("query parameter '" + name + "' must be a whole number, got '" + v + "'");
        }
    }
}

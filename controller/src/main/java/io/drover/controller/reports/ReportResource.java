package io.drover.controller.reports;

import com.fasterxml.jackson.databind.JsonNode;
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
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.util.Date;
import java.util.Map;
import org.bson.Document;

/**
 * Plots, text reports and configuration objects of a task (docs/API.md, "Plots, texts and
 * configs"). Like scalars, plots and texts have two write routes because {@link Access} declares
 * one permission per route: the agent's (LEASE, fenced by the {@code epoch} in the body) and a
 * user key's {@code /user} route (WRITE on the task's project). Configs are written by users only
 * (WRITE). Reading needs READ.
 */
public final class ReportResource implements ApiResource {
    /** Body limit: the largest payload (1 MiB spec or config) plus room for the envelope and escaping. */
    static final long MAX_BODY_BYTES = 3L << 20;
    public static final int MAX_PAYLOAD_BYTES = 1 << 20;
    public static final int MAX_TEXT_BYTES = 256 << 10;
    public static final int MAX_TITLE = 256;
    public static final int DEFAULT_LIMIT = 20;
    public static final int MAX_LIMIT = 100;
    static final java.util.Set<String> PLOT_KINDS = java.util.Set.of("line", "scatter", "bar", "histogram", "confusion", "table");
    static final java.util.Set<String> FORMATS = java.util.Set.of("json", "yaml", "text");

    private final ReportStore store;
    private final Clock clock;

    private final io.drover.controller.tasks.TaskEvents events;

    public ReportResource(ReportStore store, Clock clock) {
        this(store, clock, new io.drover.controller.tasks.TaskEvents());
    }

    /** @param events told of every stored plot and text ({@code report(id, kind)}, for live streams) */
    public ReportResource(ReportStore store, Clock clock, io.drover.controller.tasks.TaskEvents events) {
        this.store = store;
        this.clock = clock;
        this.events = events;
    }

    @Override
    public void mount(Router api) {
        Access.route(api.post("/tasks/:id/plots"), Permission.LEASE, ProjectFrom.TASK)
                .handler(Http.jsonBody(MAX_BODY_BYTES)).handler(ctx -> addPlot(ctx, true)).failureHandler(ReportResource::tooLarge);
        Access.route(api.post("/tasks/:id/plots/user"), Permission.WRITE, ProjectFrom.TASK)
                .handler(Http.jsonBody(MAX_BODY_BYTES)).handler(ctx -> addPlot(ctx, false)).failureHandler(ReportResource::tooLarge);
        Access.route(api.get("/tasks/:id/plots"), Permission.READ, ProjectFrom.TASK).handler(ctx -> list(ctx, ReportStore.Kind.PLOT));
        Access.route(api.get("/tasks/:id/plots/:seq"), Permission.READ, ProjectFrom.TASK).handler(ctx -> one(ctx, ReportStore.Kind.PLOT));
        Access.route(api.post("/tasks/:id/texts"), Permission.LEASE, ProjectFrom.TASK)
                .handler(Http.jsonBody(MAX_BODY_BYTES)).handler(ctx -> addText(ctx, true)).failureHandler(ReportResource::tooLarge);
        Access.route(api.post("/tasks/:id/texts/user"), Permission.WRITE, ProjectFrom.TASK)
                .handler(Http.jsonBody(MAX_BODY_BYTES)).handler(ctx -> addText(ctx, false)).failureHandler(ReportResource::tooLarge);
        Access.route(api.get("/tasks/:id/texts"), Permission.READ, ProjectFrom.TASK).handler(ctx -> list(ctx, ReportStore.Kind.TEXT));
        Access.route(api.get("/tasks/:id/texts/:seq"), Permission.READ, ProjectFrom.TASK).handler(ctx -> one(ctx, ReportStore.Kind.TEXT));
        Access.route(api.put("/tasks/:id/configs/:name"), Permission.WRITE, ProjectFrom.TASK)
                .handler(Http.jsonBody(MAX_BODY_BYTES)).handler(this::putConfig).failureHandler(ReportResource::tooLarge);
        Access.route(api.get("/tasks/:id/configs"), Permission.READ, ProjectFrom.TASK).handler(this::listConfigs);
        Access.route(api.get("/tasks/:id/configs/:name"), Permission.READ, ProjectFrom.TASK).handler(this::getConfig);
    }

    // ---------------------------------------------------------------- writes

    private void addPlot(RoutingContext ctx, boolean leased) {
        String id = Http.pathId(ctx, "id");
        Http.write(ctx, 201, () -> {
            ObjectNode b = Http.body(ctx);
            Http.requireOnly(b, "epoch", "title", "series", "iter", "kind", "spec");
            Long epoch = epoch(b, leased);
            String kind = text(b, "kind", 32, true);
            if (!PLOT_KINDS.contains(kind)) {
                throw DroverException.badRequest("field 'kind' must be one of line, scatter, bar, histogram, confusion, table; got '" + kind + "'");
            }
            JsonNode spec = b.get("spec");
            if (spec == null || !spec.isObject()) throw DroverException.badRequest("field 'spec' is required: a JSON object describing the plot");
            String specJson = Json.write(spec);
            int size = specJson.getBytes(StandardCharsets.UTF_8).length;
            if (size > MAX_PAYLOAD_BYTES) {
                throw new DroverException(ErrorCode.PAYLOAD_TOO_LARGE, "field 'spec' is " + size + " bytes; at most 1 MiB: downsample the data before plotting");
            }
            Document fields = new Document("title", text(b, "title", MAX_TITLE, true)).append("series", text(b, "series", MAX_TITLE, false))
                    .append("iter", iter(b)).append("kind", kind).append("spec", specJson).append("ts", Date.from(clock.instant()));
            store.checkTask(id, epoch);
            long seq = store.add(id, ReportStore.Kind.PLOT, fields);
            events.report(id, "plot");
            return Json.object().put("seq", seq);
        });
    }

    private void addText(RoutingContext ctx, boolean leased) {
        String id = Http.pathId(ctx, "id");
        Http.write(ctx, 201, () -> {
            ObjectNode b = Http.body(ctx);
            Http.requireOnly(b, "epoch", "title", "iter", "text");
            Long epoch = epoch(b, leased);
            JsonNode t = b.get("text");
            if (t == null || !t.isTextual()) throw DroverException.badRequest("field 'text' is required: a string (plain text or markdown)");
            int size = t.asText().getBytes(StandardCharsets.UTF_8).length;
            if (size > MAX_TEXT_BYTES) {
                throw new DroverException(ErrorCode.PAYLOAD_TOO_LARGE, "field 'text' is " + size + " bytes; at most 256 KiB: upload longer reports as an artifact");
            }
            Document fields = new Document("title", text(b, "title", MAX_TITLE, true)).append("iter", iter(b)).append("text", t.asText())
                    .append("ts", Date.from(clock.instant()));
            store.checkTask(id, epoch);
            long seq = store.add(id, ReportStore.Kind.TEXT, fields);
            events.report(id, "text");
            return Json.object().put("seq", seq);
        });
    }

    private void putConfig(RoutingContext ctx) {
        String id = Http.pathId(ctx, "id");
        String name = Http.pathName(ctx, "name", "config");
        Http.write(ctx, 200, () -> {
            ObjectNode b = Http.body(ctx);
            Http.requireOnly(b, "format", "content");
            String format = text(b, "format", 16, true);
            if (!FORMATS.contains(format)) throw DroverException.badRequest("field 'format' must be json, yaml or text; got '" + format + "'");
            JsonNode c = b.get("content");
            if (c == null || !c.isTextual()) {
                throw DroverException.badRequest("field 'content' is required: the configuration as a string (for json, the serialized JSON)");
            }
            int size = c.asText().getBytes(StandardCharsets.UTF_8).length;
            if (size > MAX_PAYLOAD_BYTES) throw new DroverException(ErrorCode.PAYLOAD_TOO_LARGE, "field 'content' is " + size + " bytes; at most 1 MiB");
            if (format.equals("json")) {
                try {
                    Json.parse(c.asText());
                } catch (Exception e) {
                    throw DroverException.badRequest("field 'content' is not valid JSON but format is 'json': send format 'text' or fix the JSON");
                }
            }
            store.checkTask(id, null);
            boolean fresh = store.putConfig(id, name, new Document("format", format).append("content", c.asText()).append("size", size)
                    .append("ts", Date.from(clock.instant())));
            return Json.object().put("name", name).put("created", fresh);
        });
    }

    private static void tooLarge(RoutingContext ctx) {
        if (ctx.failure() == null && ctx.statusCode() == 413) {
            Http.error(ctx, ErrorCode.PAYLOAD_TOO_LARGE, "request body is larger than 3 MiB; a plot spec or config is at most 1 MiB, a text 256 KiB");
        } else {
            ctx.next();
        }
    }

    // ---------------------------------------------------------------- reads

    private void list(RoutingContext ctx, ReportStore.Kind kind) {
        String id = Http.pathId(ctx, "id");
        int limit = Http.intQuery(ctx, "limit", DEFAULT_LIMIT, 1, MAX_LIMIT);
        Long before = ctx.queryParams().get("before") == null ? null : (long) Http.intQuery(ctx, "before", 1, 1, Integer.MAX_VALUE);
        String plotKind = kind == ReportStore.Kind.PLOT ? ctx.queryParams().get("kind") : null;
        if (plotKind != null && !PLOT_KINDS.contains(plotKind)) {
            throw DroverException.badRequest("query parameter 'kind' must be one of line, scatter, bar, histogram, confusion, table; got '" + plotKind + "'");
        }
        Http.blocking(ctx, () -> {
            store.checkTask(id, null);
            ReportStore.Page p = store.list(id, kind, before, limit, plotKind, kind == ReportStore.Kind.PLOT ? "spec" : "text");
            ObjectNode o = Json.object();
            ArrayNode items = o.putArray("items");
            for (Document d : p.items()) items.add(render(d));
            if (p.next() != null) o.put("next", p.next());
            else o.putNull("next");
            return o;
        });
    }

    private void one(RoutingContext ctx, ReportStore.Kind kind) {
        String id = Http.pathId(ctx, "id");
        long seq = seq(ctx.pathParam("seq"));
        Http.blocking(ctx, () -> {
            store.checkTask(id, null);
            Document d = store.get(id, kind, seq);
            if (d == null) throw DroverException.notFound(kind == ReportStore.Kind.PLOT ? "plot" : "text", id + "/" + seq);
            return render(d);
        });
    }

    private void listConfigs(RoutingContext ctx) {
        String id = Http.pathId(ctx, "id");
        Http.blocking(ctx, () -> {
            store.checkTask(id, null);
            ObjectNode o = Json.object();
            ArrayNode items = o.putArray("items");
            for (Document d : store.configs(id)) items.add(render(d));
            return o;
        });
    }

    private void getConfig(RoutingContext ctx) {
        String id = Http.pathId(ctx, "id");
        String name = Http.pathName(ctx, "name", "config");
        Http.blocking(ctx, () -> {
            store.checkTask(id, null);
            Document d = store.config(id, name);
            if (d == null) throw DroverException.notFound("config", id + "/" + name);
            return render(d);
        });
    }

    /** A stored document as API JSON: no internal keys, {@code spec} parsed back, times as ISO-8601. */
    private static ObjectNode render(Document d) {
        ObjectNode o = Json.object();
        for (Map.Entry<String, Object> e : d.entrySet()) {
            String k = e.getKey();
            Object v = e.getValue();
            if (k.equals("_id") || k.equals("task")) continue;
            if (v == null) o.putNull(k);
            else if (k.equals("spec")) o.set(k, parse((String) v));
            else if (v instanceof Date t) o.put(k, Instant.ofEpochMilli(t.getTime()).toString());
            else if (v instanceof Number n) o.put(k, n.longValue());
            else o.put(k, v.toString());
        }
        return o;
    }

    private static JsonNode parse(String json) {
        try {
            return Json.parse(json);
        } catch (Exception e) {
            throw new IllegalStateException("stored plot spec is not JSON", e);
        }
    }

    // ---------------------------------------------------------------- fields

    private static Long epoch(ObjectNode b, boolean leased) {
        JsonNode e = b.get("epoch");
        if (!leased) {
            if (e != null) throw DroverException.badRequest("'epoch' is for the agent route (without /user); a user key sends records without it");
            return null;
        }
        if (e == null || !e.isIntegralNumber() || e.asLong() < 0) {
            throw DroverException.badRequest("field 'epoch' is required on the agent route: the lease epoch of the claim (a whole number)");
        }
        return e.asLong();
    }

    private static Long iter(ObjectNode b) {
        JsonNode it = b.get("iter");
        if (it == null || it.isNull()) return null;
        if (!it.isIntegralNumber() || !it.canConvertToLong() || it.asLong() < 0) {
            throw DroverException.badRequest("field 'iter' must be a whole number >= 0, got " + it);
        }
        return it.asLong();
    }

    private static String text(ObjectNode b, String field, int max, boolean required) {
        JsonNode n = b.get(field);
        if (n == null || n.isNull()) {
            if (required) throw DroverException.badRequest("field '" + field + "' is required: a string of 1-" + max + " characters");
            return null;
        }
        if (!n.isTextual()) throw DroverException.badRequest("field '" + field + "' must be a string");
        String s = n.asText();
        if (s.isEmpty() || s.length() > max) throw DroverException.badRequest("field '" + field + "' must be 1-" + max + " characters, got " + s.length());
        for (int i = 0; i < s.length(); i++) {
            if (Character.isISOControl(s.charAt(i))) throw DroverException.badRequest("field '" + field + "' must not contain control characters");
        }
        return s;
    }

    private static long seq(String v) {
        try {
            long s = Long.parseLong(v);
            if (s >= 1) return s;
        } catch (NumberFormatException e) {
            // fall through to the message below
        }
        throw DroverException.badRequest("'" + v + "' is not a valid sequence number: use the 'seq' of an item from the listing (1, 2, ...)");
    }
}

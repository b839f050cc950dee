package io.drover.controller.audit;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.drover.controller.auth.Access;
import io.drover.controller.auth.Permission;
import io.drover.controller.http.ApiResource;
import io.drover.controller.http.Http;
import io.drover.shared.domain.DroverException;
import io.drover.shared.domain.Ids;
import io.drover.shared.json.Json;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.util.Set;

/** {@code GET /audit?limit=100&before=ID}: the audit log, newest first (admins only). */
public final class AuditResource implements ApiResource {
    private static final Set<String> PARAMS = Set.of("limit", "before");

    private final AuditLog audit;

    public AuditResource(AuditLog audit) {
        this.audit = audit;
    }

    @Override
    public void mount(Router api) {
        Access.route(api.get("/audit"), Permission.ADMIN).handler(this::list);
    }

    private void list(RoutingContext ctx) {
        for (String k : ctx.queryParams().names()) {
            if (!PARAMS.contains(k)) throw DroverException.badRequest("unknown query parameter '" + k + "'; use limit, before");
        }
        int limit = Http.intQuery(ctx, "limit", 100, 1, AuditLog.MAX_LIMIT);
        String before = ctx.queryParams().get("before");
        if (before != null && !Ids.isId(before)) {
            throw DroverException.badRequest("'before' must be the id of an audit entry (24 hex characters, from a previous page)");
        }
        Http.blocking(ctx, () -> {
            ObjectNode o = Json.object();
            ArrayNode items = o.putArray("items");
            audit.list(limit, before).forEach(e -> items.add(e.toJson()));
            return o;
        });
    }
}

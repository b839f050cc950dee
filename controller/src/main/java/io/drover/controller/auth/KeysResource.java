package io.drover.controller.auth;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.drover.controller.audit.AuditLog;
import io.drover.controller.http.ApiResource;
import io.drover.controller.http.Http;
import io.drover.controller.http.Reply;
import io.drover.controller.tasks.Fields;
import io.drover.shared.domain.DroverException;
import io.drover.shared.json.Json;
import io.vertx.ext.web.Router;
import java.util.regex.Pattern;

/**
 * {@code /keys}: create (the secret is in this one response only), list (own; admins any user's
 * or all), revoke (own or, for admins, any; effective on the next request). Worker keys and keys
 * for other users need an admin.
 */
public final class KeysResource implements ApiResource {
    private static final Pattern KEY_ID = Pattern.compile("[0-9a-f]{16}");

    private final AuthService auth;
    private final AuditLog audit;

    public KeysResource(AuthService auth, AuditLog audit) {
        this.auth = auth;
        this.audit = audit;
    }

    @Override
    public void mount(Router api) {
        Access.route(api.post("/keys"), Permission.AUTHENTICATED).handler(Http.jsonBody()).handler(ctx -> {
            Principal p = Access.principal(ctx);
            ObjectNode b = Http.body(ctx);
            Http.requireOnly(b, "name", "kind", "user");
            String name = Fields.string(b, "name", null, 256);
            ApiKeys.Kind kind = ApiKeys.Kind.parse(Fields.string(b, "kind", "user", 16));
            String user = Fields.name(b, "user", p.name());
            if ((kind == ApiKeys.Kind.WORKER || !user.equals(p.name())) && !p.admin()) {
                throw AuthService.forbidden("only admins can create worker keys or keys for other users");
            }
            AuditLog.Who who = audit == null ? null : audit.who(ctx);
            Http.write(ctx, 201, () -> {
                auth.users().find(user).orElseThrow(() -> DroverException.notFound("user", user));
                ApiKeys.Created c = auth.keys().create(user, kind, name);
                if (audit != null) audit.record(who, "key.create", c.key().id(), AuditLog.OK, kind.wire() + " key for " + user);
                ObjectNode o = Json.object().put("id", c.key().id()).put("key", c.token()).put("name", name)
                        .put("kind", kind.wire()).put("user", user)
                        .put("createdAt", io.drover.controller.tasks.TaskJson.iso(c.key().createdAt()));
                return Reply.created(o);
            });
        });
        Access.route(api.get("/keys"), Permission.AUTHENTICATED).handler(ctx -> {
            Principal p = Access.principal(ctx);
            if (p.isWorker()) throw AuthService.forbidden("worker keys cannot list keys; use a user key");
            String user = ctx.queryParams().get("user");
            if (user != null && !user.equals(p.name()) && !p.admin()) throw AuthService.forbidden("only admins can list other users' keys");
            String filter = p.admin() ? user : p.name();
            Http.blocking(ctx, () -> {
                ObjectNode o = Json.object();
                ArrayNode items = o.putArray("items");
                auth.keys().list(filter).forEach(k -> items.add(AuthJson.key(k)));
                return o;
            });
        });
        Access.route(api.delete("/keys/:keyId"), Permission.AUTHENTICATED).handler(ctx -> {
            Principal p = Access.principal(ctx);
            String id = ctx.pathParam("keyId");
            if (!KEY_ID.matcher(id).matches()) throw DroverException.badRequest("'" + id + "' is not a key id: 16 hex characters, as 'drover keys list' prints");
            AuditLog.Who who = audit == null ? null : audit.who(ctx);
            Http.write(ctx, 200, () -> {
                ApiKeys.Key k = auth.keys().find(id).filter(x -> p.admin() || x.user().equals(p.name()))
                        .orElseThrow(() -> DroverException.notFound("key", id));
                auth.keys().revoke(id);
                if (audit != null) audit.record(who, "key.revoke", id, AuditLog.OK);
                return AuthJson.key(auth.keys().find(id).orElse(k));
            });
        });
    }
}

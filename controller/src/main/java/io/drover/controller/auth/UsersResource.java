package io.drover.controller.auth;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.mongodb.client.model.Updates;
import io.drover.controller.audit.AuditLog;
import io.drover.controller.http.ApiResource;
import io.drover.controller.http.Http;
import io.drover.controller.http.Reply;
import io.drover.controller.tasks.Fields;
import io.drover.shared.domain.DroverException;
import io.drover.shared.json.Json;
import io.vertx.ext.web.Router;
import java.util.ArrayList;
import java.util.List;
import org.bson.conversions.Bson;

/** {@code /users} (ADMIN): create (with a generated password when none is given), list, update. */
public final class UsersResource implements ApiResource {
    private final AuthService auth;
    private final AuditLog audit;

    public UsersResource(AuthService auth, AuditLog audit) {
        this.auth = auth;
        this.audit = audit;
    }

    @Override
    public void mount(Router api) {
        Access.route(api.post("/users"), Permission.ADMIN).handler(Http.jsonBody()).handler(ctx -> {
            ObjectNode b = Http.body(ctx);
            Http.requireOnly(b, "username", "displayName", "password", "admin");
            String username = Fields.name(b, "username", null);
            if (username == null) throw DroverException.badRequest("'username' is required");
            String display = Fields.string(b, "displayName", username, 256);
            String given = Fields.string(b, "password", null, 1024);
            if (given != null) Passwords.requireStrong(given);
            boolean admin = Fields.bool(b, "admin", false);
            AuditLog.Who who = audit == null ? null : audit.who(ctx);
            Http.write(ctx, 201, () -> {
                String password = given != null ? given : Passwords.generate();
                Users.User u = auth.users().create(username, display, Passwords.hash(password), admin, "local");
                if (audit != null) audit.record(who, "user.create", username, AuditLog.OK, admin ? "admin" : null);
                ObjectNode o = AuthJson.user(u);
                if (given == null) o.put("generatedPassword", password);
                return Reply.created(o);
            });
        });
        Access.route(api.get("/users"), Permission.ADMIN).handler(ctx -> Http.blocking(ctx, () -> {
            ObjectNode o = Json.object();
            ArrayNode items = o.putArray("items");
            auth.users().list().forEach(u -> items.add(AuthJson.user(u)));
            return o;
        }));
        Access.route(api.patch("/users/:user"), Permission.ADMIN).handler(Http.jsonBody()).handler(ctx -> {
            String username = Http.pathName(ctx, "user", "user");
            ObjectNode b = Http.body(ctx);
            Http.requireOnly(b, "displayName", "password", "admin", "disabled");
            Principal me = Access.principal(ctx);
            List<Bson> set = new ArrayList<>();
            if (b.has("displayName")) set.add(Updates.set("displayName", Fields.string(b, "displayName", username, 256)));
            String password = Fields.string(b, "password", null, 1024);
            if (password != null) {
                Passwords.requireStrong(password);
            }
            Boolean admin = b.has("admin") ? Fields.bool(b, "admin", false) : null;
            Boolean disabled = b.has("disabled") ? Fields.bool(b, "disabled", false) : null;
            if (username.equals(me.name()) && (Boolean.FALSE.equals(admin) || Boolean.TRUE.equals(disabled))) {
                throw DroverException.badRequest("you cannot remove your own admin flag or disable yourself; ask another admin");
            }
            if (admin != null) set.add(Updates.set("admin", admin));
            if (disabled != null) set.add(Updates.set("disabled", disabled));
            AuditLog.Who who = audit == null ? null : audit.who(ctx);
            Http.write(ctx, 200, () -> {
                if (password != null) set.add(Updates.set("passwordHash", Passwords.hash(password)));
                if (!set.isEmpty()) auth.users().update(username, Updates.combine(set));
                if (password != null || Boolean.TRUE.equals(disabled)) auth.sessions().deleteAllOf(username);
                Users.User u = auth.users().find(username).orElseThrow(() -> DroverException.notFound("user", username));
                if (audit != null) {
                    audit.record(who, "user.update", username, AuditLog.OK, String.join(",", b.properties().stream()
                            .map(java.util.Map.Entry::getKey).filter(k -> !k.equals("password")).toList())
                            + (password != null ? (b.size() > 1 ? "," : "") + "password" : ""));
                }
                return AuthJson.user(u);
            });
        });
    }
}

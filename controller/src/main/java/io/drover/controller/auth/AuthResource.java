package io.drover.controller.auth;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.drover.controller.audit.AuditLog;
import io.drover.controller.auth.ldap.LdapAuthenticator;
import io.drover.controller.auth.ldap.LdapIdentity;
import io.drover.controller.http.ApiResource;
import io.drover.controller.http.Http;
import io.drover.controller.http.LoginThrottle;
import io.drover.controller.http.Reply;
import io.drover.controller.tasks.Fields;
import io.drover.shared.domain.DroverException;
import io.drover.shared.domain.ErrorCode;
import io.drover.shared.json.Json;
import io.vertx.core.http.Cookie;
import io.vertx.core.http.CookieSameSite;
import io.vertx.core.net.SocketAddress;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.util.Map;
import java.util.Optional;

/**
 * {@code /auth}: browser login (session cookie + CSRF token), logout, who am I, own password.
 * Login checks local users (Argon2id) and, when configured, falls back to LDAP for users that are
 * unknown locally or came from LDAP. Failed logins are throttled ({@link LoginThrottle}) and
 * all failures get the same message.
 */
public final class AuthResource implements ApiResource {
    static final String BAD_LOGIN = "wrong username or password";

    private final AuthService auth;
    private final LdapAuthenticator ldap;
    private final LoginThrottle throttle;
    private final AuditLog audit;
    private final boolean secureCookie;

    public AuthResource(AuthService auth, LdapAuthenticator ldap, LoginThrottle throttle, AuditLog audit, boolean secureCookie) {
        this.auth = auth;
        this.ldap = ldap;
        this.throttle = throttle;
        this.audit = audit;
        this.secureCookie = secureCookie;
    }

    @Override
    public void mount(Router api) {
        Access.route(api.post("/auth/login"), Permission.PUBLIC).handler(Http.jsonBody()).handler(this::login);
        Access.route(api.post("/auth/logout"), Permission.AUTHENTICATED).handler(Http.jsonBody()).handler(this::logout);
        Access.route(api.get("/auth/me"), Permission.AUTHENTICATED).handler(this::me);
        Access.route(api.post("/auth/password"), Permission.AUTHENTICATED).handler(Http.jsonBody()).handler(this::password);
    }

    private void login(RoutingContext ctx) {
        ObjectNode b = Http.body(ctx);
        Http.requireOnly(b, "username", "password");
        String username = Fields.string(b, "username", null, 256);
        String password = Fields.string(b, "password", null, 1024);
        if (username == null || password == null) throw DroverException.badRequest("'username' and 'password' are required");
        String ip = ip(ctx);
        AuditLog.Who who = new AuditLog.Who(username, ip);
        Http.write(ctx, 200, () -> {
            try {
                throttle.check(username, ip);
            } catch (DroverException throttled) {
                if (audit != null) audit.record(who, "login", username, AuditLog.DENIED, "throttled: too many failed logins");
                throw throttled;
            }
            Users.User u = check(username, password);
            if (u == null) {
                throttle.failed(username, ip);
                if (audit != null) audit.record(who, "login", username, AuditLog.FAILED);
                throw new DroverException(ErrorCode.UNAUTHORIZED, BAD_LOGIN);
            }
            throttle.succeeded(username, ip);
            Sessions.Session s = auth.sessions().create(u.username());
            if (audit != null) audit.record(who, "login", username, AuditLog.OK);
            ctx.response().addCookie(Cookie.cookie(Sessions.COOKIE, s.cookieValue()).setPath("/").setHttpOnly(true)
                    .setSameSite(CookieSameSite.STRICT).setSecure(secureCookie));
            return Json.object().<ObjectNode>set("user", AuthJson.user(u)).put("csrfToken", s.csrf());
        });
    }

    /** The user when the password is right; null for every kind of failure (one answer for all). */
    private Users.User check(String username, String password) {
        Optional<Users.User> found = auth.users().find(username);
        if (found.isPresent() && "local".equals(found.get().source())) {
            Users.User u = found.get();
            boolean ok = Passwords.verify(password, u.passwordHash());
            return ok && !u.disabled() ? u : null;
        }
        if (ldap != null && (found.isEmpty() || "ldap".equals(found.get().source()))) {
            Optional<LdapIdentity> id = ldap.authenticate(username, password);
            if (id.isEmpty()) return null;
            if (found.isPresent() && found.get().disabled()) return null;
            Users.User u = auth.users().upsertLdap(id.get().username(), id.get().displayName(), id.get().admin());
            Map<String, Role> roles = new java.util.LinkedHashMap<>();
            id.get().roles().forEach((project, role) -> roles.put(project, Role.parse(role)));
            auth.members().syncDirectoryRoles(u.username(), roles);
            return u;
        }
        Passwords.verify(password, null); // same time as a real check
        return null;
    }

    private void logout(RoutingContext ctx) {
        Principal p = Access.principal(ctx);
        Http.requireOnly(Http.body(ctx));
        Http.write(ctx, 204, () -> {
            auth.sessions().delete(p.sessionId());
            if (audit != null) audit.record(new AuditLog.Who(p.actor(), ip(ctx)), "logout", p.actor(), AuditLog.OK);
            ctx.response().addCookie(Cookie.cookie(Sessions.COOKIE, "").setPath("/").setHttpOnly(true)
                    .setSameSite(CookieSameSite.STRICT).setSecure(secureCookie).setMaxAge(0));
            return Reply.noContent();
        });
    }

    private void me(RoutingContext ctx) {
        Principal p = Access.principal(ctx);
        Http.blocking(ctx, () -> {
            ObjectNode o = Json.object().put("username", p.name());
            String display = p.name();
            if (p.kind() == Principal.Kind.USER || p.kind() == Principal.Kind.WORKER) {
                display = auth.users().find(p.name()).map(Users.User::displayName).orElse(p.name());
            }
            o.put("displayName", display).put("admin", p.admin()).put("kind", p.kind().name().toLowerCase());
            ObjectNode roles = o.putObject("roles");
            if (p.kind() == Principal.Kind.USER) auth.members().rolesOf(p.name()).forEach(roles::put);
            // a page opened in a new tab needs the session's CSRF token; other origins cannot read this
            // response (no CORS), so handing it out here is as safe as the login response
            if (p.csrfToken() != null) o.put("csrfToken", p.csrfToken());
            return o;
        });
    }

    private void password(RoutingContext ctx) {
        Principal p = Access.principal(ctx);
        ObjectNode b = Http.body(ctx);
        Http.requireOnly(b, "oldPassword", "newPassword");
        String oldPw = Fields.string(b, "oldPassword", null, 1024);
        String newPw = Fields.string(b, "newPassword", null, 1024);
        if (oldPw == null || newPw == null) throw DroverException.badRequest("'oldPassword' and 'newPassword' are required");
        if (p.kind() != Principal.Kind.USER) {
            throw DroverException.badRequest("only users have passwords (auth is off, or this is an agent key)");
        }
        Passwords.requireStrong(newPw);
        Http.write(ctx, 204, () -> {
            Users.User u = auth.users().find(p.name()).orElseThrow(() -> DroverException.notFound("user", p.name()));
            if (!"local".equals(u.source())) {
                throw DroverException.badRequest("user '" + u.username() + "' logs in through LDAP: change the password in the directory");
            }
            if (!Passwords.verify(oldPw, u.passwordHash())) {
                if (audit != null) audit.record(new AuditLog.Who(p.actor(), ip(ctx)), "password.change", u.username(), AuditLog.FAILED);
                throw AuthService.forbidden("the old password is wrong");
            }
            auth.users().setPassword(u.username(), Passwords.hash(newPw));
            auth.sessions().deleteAllOfExcept(u.username(), p.sessionId());
            if (audit != null) audit.record(new AuditLog.Who(p.actor(), ip(ctx)), "password.change", u.username(), AuditLog.OK);
            return Reply.noContent();
        });
    }

    static String ip(RoutingContext ctx) {
        SocketAddress a = ctx.request().remoteAddress();
        return a == null ? null : a.hostAddress();
    }
}

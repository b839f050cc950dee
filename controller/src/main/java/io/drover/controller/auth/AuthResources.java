package io.drover.controller.auth;

import io.drover.controller.Services;
import io.drover.controller.auth.ldap.LdapAuthenticator;
import io.drover.controller.http.ApiResource;
import io.drover.controller.http.LoginThrottle;
import java.util.List;

/** The auth routes ({@code /auth}, {@code /users}, {@code /keys}, {@code /projects/{p}/members}) for {@code Controller}. */
public final class AuthResources {
    private AuthResources() {}

    /** @param ldap the directory to fall back to at login, or null */
    public static List<ApiResource> api(Services s, AuthService auth, LdapAuthenticator ldap) {
        return List.of(
                new AuthResource(auth, ldap, new LoginThrottle(), s.audit(), s.config().tlsEnabled()),
                new UsersResource(auth, s.audit()),
                new KeysResource(auth, s.audit()),
                new MembersResource(auth, s.audit()));
    }
}

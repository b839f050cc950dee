package io.drover.controller.auth.ldap;

import io.drover.controller.config.ControllerConfig;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Option;

/** The controller's {@code --ldap-*} flags (a picocli mixin of {@code ControllerMain}). */
public final class LdapOptions {
    public static final String ENV_BIND_PASSWORD = "DROVER_LDAP_BIND_PASSWORD";

    @Option(names = "--ldap-url", paramLabel = "URL",
            description = "Enable LDAP login against this directory: ldap://host:389 or ldaps://host:636.")
    String url;

    @Option(names = "--ldap-bind-dn", paramLabel = "DN", description = "Service account that searches users and groups (default: anonymous search).")
    String bindDn;

    @Option(names = "--ldap-bind-password", paramLabel = "PASSWORD",
            description = "Password of --ldap-bind-dn (better: env " + ENV_BIND_PASSWORD + ", which does not show in the process list).")
    String bindPassword;

    @Option(names = "--ldap-user-base", paramLabel = "DN", description = "Where users are searched, e.g. ou=people,dc=example,dc=com.")
    String userBase;

    @Option(names = "--ldap-user-filter", paramLabel = "FILTER", description = "User search filter, {0} = login name (default (uid={0})).")
    String userFilter;

    @Option(names = "--ldap-group-base", paramLabel = "DN", description = "Where groups are searched, e.g. ou=groups,dc=example,dc=com.")
    String groupBase;

    @Option(names = "--ldap-group-filter", paramLabel = "FILTER", description = "Group search filter, {0} = user DN, {1} = login name (default (member={0})).")
    String groupFilter;

    @Option(names = "--ldap-display-name-attribute", paramLabel = "ATTR", description = "User attribute shown as display name (default cn).")
    String displayName;

    @Option(names = "--ldap-group-role", paramLabel = "GROUP=ROLE",
            description = "Map a group (DN or cn) to 'admin' or ROLE:PROJECT (owner, member, viewer), e.g. ml-team=member:vision. Repeatable.")
    List<String> groupRoles;

    /** {@code c} with LDAP login when {@code --ldap-url} is given; the other flags without it are an error. */
    public ControllerConfig apply(ControllerConfig c, Map<String, String> env) {
        if (url == null) {
            if (bindDn != null || userBase != null || groupBase != null || (groupRoles != null && !groupRoles.isEmpty())) {
                throw new IllegalArgumentException("--ldap-* flags need --ldap-url (the directory to log in against)");
            }
            return c;
        }
        Map<String, String> roles = new LinkedHashMap<>();
        if (groupRoles != null) groupRoles.forEach(g -> LdapConfig.parseGroupRole(g, roles));
        String password = bindPassword != null ? bindPassword : env.get(ENV_BIND_PASSWORD);
        return c.withLdap(new LdapConfig(url, bindDn, password, userBase, userFilter, groupBase, groupFilter, displayName,
                roles, null));
    }
}

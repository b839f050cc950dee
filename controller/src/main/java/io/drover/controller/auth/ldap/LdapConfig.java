package io.drover.controller.auth.ldap;

import java.net.URI;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * How to reach and read the directory for LDAP login ({@code --ldap-*} flags).
 *
 * @param url                  {@code ldap://host:port} or {@code ldaps://host:port}
 * @param bindDn               service account that searches users and groups; null = anonymous search
 * @param bindPassword         its password (flag or env {@code DROVER_LDAP_BIND_PASSWORD}); never printed
 * @param userBaseDn           where users are searched (subtree)
 * @param userFilter           user search filter; {@code {0}} is the login name, escaped per RFC 4515
 * @param groupBaseDn          where groups are searched (subtree); null = no group lookup
 * @param groupFilter          group search filter; {@code {0}} is the user's DN, {@code {1}} the login name, both escaped
 * @param displayNameAttribute the user attribute shown as the display name
 * @param groupRoles           group DN or cn (case-insensitive) → {@code admin} or {@code ROLE:PROJECT}
 *                             (ROLE one of owner, member, viewer), e.g. {@code cn=ml,ou=groups,dc=x → member:vision};
 *                             several comma-separated ({@code member:vision,viewer:nlp}); a group matching
 *                             both by DN and by cn gets the roles of both
 * @param timeout              connect and response timeout for each directory call
 */
public record LdapConfig(String url, String bindDn, String bindPassword, String userBaseDn, String userFilter,
                         String groupBaseDn, String groupFilter, String displayNameAttribute,
                         Map<String, String> groupRoles, Duration timeout) {

    public static final String DEFAULT_USER_FILTER = "(uid={0})";
    public static final String DEFAULT_GROUP_FILTER = "(member={0})";
    public static final String DEFAULT_DISPLAY_NAME = "cn";
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(10);
    static final Set<String> PROJECT_ROLES = Set.of("owner", "member", "viewer");

    public LdapConfig {
        if (url == null || url.isBlank()) throw new IllegalArgumentException("--ldap-url is required for LDAP login, e.g. ldap://ldap.example.com:389");
        String scheme = URI.create(url.strip()).getScheme();
        if (scheme == null || !(scheme.equalsIgnoreCase("ldap") || scheme.equalsIgnoreCase("ldaps"))) {
            throw new IllegalArgumentException("--ldap-url '" + url + "' must start with ldap:// or ldaps://");
        }
        url = url.strip();
        bindDn = blankToNull(bindDn);
        if (bindDn != null && (bindPassword == null || bindPassword.isEmpty())) {
            throw new IllegalArgumentException("--ldap-bind-dn is set but no password: give --ldap-bind-password or env DROVER_LDAP_BIND_PASSWORD");
        }
        if (blankToNull(userBaseDn) == null) throw new IllegalArgumentException("--ldap-user-base is required, e.g. ou=people,dc=example,dc=com");
        userFilter = blankToNull(userFilter) == null ? DEFAULT_USER_FILTER : userFilter.strip();
        if (!userFilter.contains("{0}")) throw new IllegalArgumentException("--ldap-user-filter '" + userFilter + "' must contain {0} (the login name), e.g. (uid={0})");
        groupBaseDn = blankToNull(groupBaseDn);
        groupFilter = blankToNull(groupFilter) == null ? DEFAULT_GROUP_FILTER : groupFilter.strip();
        displayNameAttribute = blankToNull(displayNameAttribute) == null ? DEFAULT_DISPLAY_NAME : displayNameAttribute.strip();
        Map<String, String> roles = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
        if (groupRoles != null) {
            // keys differing only in case name the same group: their roles add up
            groupRoles.forEach((g, r) -> roles.merge(g.strip(), checkRole(g, r), (a, b) -> a + "," + b));
        }
        groupRoles = java.util.Collections.unmodifiableMap(roles);
        if (!groupRoles.isEmpty() && groupBaseDn == null) {
            throw new IllegalArgumentException("--ldap-group-role needs --ldap-group-base (where to search the user's groups)");
        }
        if (timeout == null || timeout.isNegative() || timeout.isZero()) timeout = DEFAULT_TIMEOUT;
    }

    /** A config with the defaults for filters, display name and timeout. */
    public static LdapConfig of(String url, String bindDn, String bindPassword, String userBaseDn, String groupBaseDn,
                                Map<String, String> groupRoles) {
        return new LdapConfig(url, bindDn, bindPassword, userBaseDn, null, groupBaseDn, null, null, groupRoles, null);
    }

    /** Parses one {@code --ldap-group-role GROUP=ROLE} value into {@code into}. */
    public static void parseGroupRole(String spec, Map<String, String> into) {
        int eq = spec == null ? -1 : spec.lastIndexOf('=');
        // a DN contains '=' itself: the role is after the last one
        if (eq <= 0 || eq == spec.length() - 1) {
            throw new IllegalArgumentException("--ldap-group-role '" + spec + "' must be GROUP=ROLE, e.g. cn=ml,ou=groups,dc=example,dc=com=member:vision or admins=admin");
        }
        // the same group named again adds a role (e.g. member on one project, viewer on another)
        into.merge(spec.substring(0, eq).strip(), spec.substring(eq + 1).strip(), (a, b) -> a + "," + b);
    }

    /** One role or a comma-separated list of them (a group may grant roles on several projects). */
    private static String checkRole(String group, String roles) {
        StringBuilder b = new StringBuilder();
        for (String r : (roles == null ? "" : roles).split(",")) {
            if (b.length() > 0) b.append(',');
            b.append(checkOne(group, r));
        }
        return b.toString();
    }

    private static String checkOne(String group, String role) {
        String r = role == null ? "" : role.strip().toLowerCase(Locale.ROOT);
        if (r.equals("admin")) return r;
        int colon = r.indexOf(':');
        if (colon > 0 && PROJECT_ROLES.contains(r.substring(0, colon)) && colon < r.length() - 1) {
            return r.substring(0, colon) + ":" + role.strip().substring(colon + 1);
        }
        throw new IllegalArgumentException("LDAP group role '" + role + "' for group '" + group
                + "' must be 'admin' or ROLE:PROJECT with ROLE owner, member or viewer (e.g. member:vision)");
    }

    private static String blankToNull(String s) {
        return s == null || s.isBlank() ? null : s.strip();
    }

    /** Printable form: the bind password is masked. */
    public String describe() {
        return "url=" + url + " bindDn=" + bindDn + " bindPassword=" + (bindPassword == null ? "(none)" : "****")
                + " userBase=" + userBaseDn + " userFilter=" + userFilter + " groupBase=" + groupBaseDn
                + " groupFilter=" + groupFilter + " groupRoles=" + groupRoles;
    }

    /** Never the password, even by accident (records print every field). */
    @Override
    public String toString() {
        return "LdapConfig[" + describe() + "]";
    }
}

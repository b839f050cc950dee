package io.drover.controller.auth.ldap;

import java.util.List;
import java.util.Map;

/**
 * A user the directory vouched for: name and password checked, groups mapped to Drover roles.
 *
 * @param username    the login name as given (trimmed)
 * @param displayName the configured display-name attribute, or the username
 * @param dn          the user's entry
 * @param groups      DNs of the groups found for the user
 * @param admin       a group maps to {@code admin}
 * @param roles       project → highest role granted by the user's groups (owner > member > viewer)
 */
public record LdapIdentity(String username, String displayName, String dn, List<String> groups, boolean admin,
                           Map<String, String> roles) {
    public LdapIdentity {
        groups = List.copyOf(groups);
        roles = Map.copyOf(roles);
    }
}

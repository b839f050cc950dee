package io.drover.controller.auth;

import io.drover.shared.domain.DroverException;
import java.util.Locale;

/** A user's role in one project. Order matters: each role can do what the ones before it can. */
public enum Role {
    VIEWER, MEMBER, OWNER;

    public String wire() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static Role parse(String s) {
        if (s != null) {
            for (Role r : values()) if (r.wire().equals(s)) return r;
        }
        throw DroverException.badRequest("role '" + s + "' is not valid: use owner, member or viewer");
    }

    /** Whether this role grants {@code p} (READ, WRITE or MANAGE). */
    public boolean grants(Permission p) {
        return switch (p) {
            case READ -> true;
            case WRITE -> this != VIEWER;
            case MANAGE -> this == OWNER;
            default -> false;
        };
    }
}

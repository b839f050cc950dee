package io.drover.controller.auth;

/**
 * Who is calling, put on every request's RoutingContext by the authentication step
 * ({@link Access#principal}).
 *
 * @param kind      user, worker (agent key), anonymous (no credentials) or local (auth off)
 * @param name      the username (for worker keys: the user that owns the key)
 * @param admin     whether the user has the admin flag (local: always)
 * @param keyId     the API key's public id, or null
 * @param sessionId hash of the browser session id when the cookie authenticated, else null
 * @param csrfToken the session's CSRF token (cookie-authenticated callers only)
 */
public record Principal(Kind kind, String name, boolean admin, String keyId, String sessionId, String csrfToken) {
    public enum Kind { USER, WORKER, ANONYMOUS, LOCAL }

    public static final Principal ANONYMOUS = new Principal(Kind.ANONYMOUS, null, false, null, null, null);
    /** Every caller when auth is off. */
    public static final Principal LOCAL = new Principal(Kind.LOCAL, "local", true, null, null, null);

    public static Principal user(String name, boolean admin, String keyId) {
        return new Principal(Kind.USER, name, admin, keyId, null, null);
    }

    public static Principal worker(String owner, String keyId) {
        return new Principal(Kind.WORKER, owner, false, keyId, null, null);
    }

    public static Principal session(String name, boolean admin, String sessionHash, String csrf) {
        return new Principal(Kind.USER, name, admin, null, sessionHash, csrf);
    }

    public boolean isWorker() {
        return kind == Kind.WORKER;
    }

    public boolean isAnonymous() {
        return kind == Kind.ANONYMOUS;
    }

    /** A person (or the local admin), as opposed to an agent or nobody. */
    public boolean isUser() {
        return kind == Kind.USER || kind == Kind.LOCAL;
    }

    /** Printable identity for logs and the audit trail, never a secret. */
    public String actor() {
        return switch (kind) {
            case ANONYMOUS -> "anonymous";
            case LOCAL -> "local";
            case WORKER -> "worker-key:" + keyId;
            case USER -> name;
        };
    }
}

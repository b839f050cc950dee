package io.drover.controller.auth;

import io.drover.controller.config.ControllerConfig;
import io.drover.shared.domain.DroverException;

/**
 * First start with auth on and no users: creates the admin with a generated password (there is
 * no default password to forget to change), an admin API key for the local CLI and a worker key
 * for the local agent. The caller ({@code ControllerMain}) prints the password once in a box and
 * writes the keys to the client config file; nothing here logs a secret.
 */
public final class Bootstrap {
    public static final String ADMIN = "admin";

    /** Secrets created on this start: shown once, never stored in clear. */
    public record Result(String username, String password, String adminKey, String agentKey) {
        @Override
        public String toString() { // never print the secrets by accident
            return "Bootstrap.Result[username=" + username + "]";
        }
    }

    private Bootstrap() {}

    /** Blocking; runs before the server listens. Null when auth is off or users exist. */
    public static Result ifEmpty(AuthService auth, ControllerConfig cfg) {
        if (!cfg.auth() || !auth.users().isEmpty()) return null;
        String password = Passwords.generate();
        try {
            auth.users().create(ADMIN, "Administrator", Passwords.hash(password), true, "local");
        } catch (DroverException e) {
            return null; // another controller on the same MongoDB created it first
        }
        String cli = auth.keys().create(ADMIN, ApiKeys.Kind.USER, "local CLI (created at first start)").token();
        String agent = auth.keys().create(ADMIN, ApiKeys.Kind.WORKER, "local agent (created at first start)").token();
        return new Result(ADMIN, password, cli, agent);
    }

    /** The one-time console message with the admin's password. */
    public static String banner(Result r, String url) {
        String[] lines = {
                "Drover: first start, created the administrator account",
                "",
                "  user:     " + r.username(),
                "  password: " + r.password(),
                "",
                "This password is shown only now. Log in at " + url + "/ and change it",
                "with 'drover users passwd' or POST /api/v1/auth/password.",
        };
        int w = 0;
        for (String l : lines) w = Math.max(w, l.length());
        StringBuilder sb = new StringBuilder();
        String bar = "+" + "-".repeat(w + 2) + "+";
        sb.append(bar).append('\n');
        for (String l : lines) sb.append("| ").append(l).append(" ".repeat(w - l.length())).append(" |\n");
        sb.append(bar);
        return sb.toString();
    }
}

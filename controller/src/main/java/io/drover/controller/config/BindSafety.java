package io.drover.controller.config;

import java.net.InetAddress;
import java.net.UnknownHostException;

/**
 * Safe defaults: with auth off, anyone who can reach the controller can run code on its agents,
 * so it refuses any address but loopback unless {@code --insecure} says the risk is accepted.
 */
public final class BindSafety {
    private BindSafety() {}

    /** Throws with what to do when {@code host} is not loopback, auth is off and insecure is not set. */
    static void check(String host, boolean auth, boolean insecure) {
        if (auth || insecure || isLoopback(host)) return;
        throw new IllegalArgumentException("refusing to listen on " + host + " with auth off: anyone who can reach that "
                + "address could run code on your agents. Enable auth (--auth on, the default), bind 127.0.0.1, "
                + "or pass --insecure to accept the risk");
    }

    /** True when a bind to {@code host} is unsafe but allowed by {@code --insecure}: warn. */
    public static boolean exposedWithoutAuth(ControllerConfig cfg) {
        return !cfg.auth() && !isLoopback(cfg.host());
    }

    /** The loud console warning for {@link #exposedWithoutAuth}. */
    public static String warning(String host) {
        String bar = "!".repeat(78);
        return String.join(System.lineSeparator(),
                bar,
                "!! WARNING: INSECURE MODE (--insecure)",
                "!! The controller listens on " + host + " WITH AUTHENTICATION OFF.",
                "!! Anyone who can reach this address can read every task, submit code and",
                "!! run it on your agents, and read their output. Use this only on a network",
                "!! you fully trust; otherwise restart without --insecure (auth is on by default).",
                bar);
    }

    /** Reachable from other machines without TLS: passwords and keys would cross the network in clear. */
    public static boolean plainHttpOnNetwork(ControllerConfig cfg) {
        return !cfg.tlsEnabled() && !isLoopback(cfg.host());
    }

    public static String plainHttpNote(String host) {
        return "NOTE: serving plain HTTP on " + host + ": passwords, keys and session cookies cross the network "
                + "unencrypted. Use --tls-cert FILE --tls-key FILE, or put a TLS proxy in front.";
    }

    /** 127.0.0.0/8, ::1, or a name that resolves only to those (e.g. localhost). */
    public static boolean isLoopback(String host) {
        String h = host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
        try {
            InetAddress[] all = InetAddress.getAllByName(h);
            if (all.length == 0) return false;
            for (InetAddress a : all) {
                if (!a.isLoopbackAddress()) return false;
            }
            return true;
        } catch (UnknownHostException e) {
            return false; // cannot tell: treat as exposed (the bind itself will fail anyway)
        }
    }
}

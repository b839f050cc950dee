package io.drover.controller.config;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Clustered controllers ({@code --cluster}): this node joins a Vert.x cluster over Hazelcast with
 * TCP-IP join to {@code members} (no multicast), so enqueues, task events, aborts and worker stats
 * made on one controller reach the others over the event bus.
 *
 * @param enabled whether this controller joins a cluster at all (off by default: one controller)
 * @param members every node's {@code host:port} (this one may be included), the TCP-IP join list
 * @param host    the address this node's Hazelcast member binds to and announces (default 127.0.0.1)
 * @param port    this node's Hazelcast port (default 5701); the event bus uses a free port on the same host
 */
public record ClusterConfig(boolean enabled, List<String> members, String host, int port) {
    public static final String DEFAULT_HOST = "127.0.0.1";
    public static final int DEFAULT_PORT = 5701;
    public static final ClusterConfig OFF = new ClusterConfig(false, List.of(), DEFAULT_HOST, DEFAULT_PORT);

    public ClusterConfig {
        members = members == null ? List.of() : List.copyOf(members);
        if (host == null || host.isBlank()) host = DEFAULT_HOST;
        host = host.trim();
    }

    /** Defaults ← {@code DROVER_CLUSTER} (on/off), {@code DROVER_CLUSTER_MEMBERS}, {@code DROVER_CLUSTER_HOST}, {@code DROVER_CLUSTER_PORT}. */
    public static ClusterConfig fromEnv(Map<String, String> env) {
        String on = env.get("DROVER_CLUSTER");
        boolean enabled = on != null && !on.isBlank() && onOff("DROVER_CLUSTER", on);
        String members = env.get("DROVER_CLUSTER_MEMBERS");
        String port = env.get("DROVER_CLUSTER_PORT");
        return new ClusterConfig(enabled, members == null ? List.of() : parseMembers("DROVER_CLUSTER_MEMBERS", members),
                env.getOrDefault("DROVER_CLUSTER_HOST", DEFAULT_HOST),
                port == null || port.isBlank() ? DEFAULT_PORT : parsePort("DROVER_CLUSTER_PORT", port));
    }

    public ClusterConfig withEnabled(boolean v) { return new ClusterConfig(v, members, host, port); }
    public ClusterConfig withMembers(List<String> v) { return new ClusterConfig(enabled, v, host, port); }
    public ClusterConfig withHost(String v) { return new ClusterConfig(enabled, members, v, port); }
    public ClusterConfig withPort(int v) { return new ClusterConfig(enabled, members, host, v); }

    /**
     * Checks the settings of an enabled cluster; {@code mongoUri} is the controller's store (a
     * cluster needs one store shared by every node). Messages name the flag to fix.
     */
    public void validate(String mongoUri) {
        if (!enabled) {
            if (!members.isEmpty()) {
                throw new IllegalArgumentException("--cluster-members (or DROVER_CLUSTER_MEMBERS) is set but clustering is off:"
                        + " add --cluster (or DROVER_CLUSTER=on) to join the cluster, or drop the members");
            }
            return;
        }
        if (mongoUri == null) {
            throw new IllegalArgumentException("--cluster needs --mongo-uri: all nodes of a cluster must use one shared store."
                    + " Start one with 'drover store --port P --data DIR' (or use a MongoDB replica set) and give every controller"
                    + " --mongo-uri mongodb://HOST:P; each controller's embedded store is private to it");
        }
        if (members.isEmpty()) {
            throw new IllegalArgumentException("--cluster needs --cluster-members host:port,host:port (every controller's"
                    + " --cluster-host:--cluster-port, this one's included), so the nodes can find each other");
        }
        for (String m : members) parseMember("--cluster-members", m);
        if (host.contains(" ") || host.contains(",")) {
            throw new IllegalArgumentException("--cluster-host '" + host + "' is not a host name or IP address");
        }
        if (host.equals("0.0.0.0") || host.equals("::")) {
            throw new IllegalArgumentException("--cluster-host must be an address the other controllers can reach this one at"
                    + " (e.g. this machine's LAN address), not the wildcard '" + host + "'");
        }
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException("--cluster-port " + port + " is out of range 1-65535");
        }
        if (BindSafety.isLoopback(host)) {
            for (String m : members) {
                if (!BindSafety.isLoopback(m.substring(0, m.lastIndexOf(':')))) {
                    throw new IllegalArgumentException("--cluster-members names another machine (" + m + ") but this controller's"
                            + " --cluster-host is " + host + ", which the others cannot reach: set --cluster-host (or"
                            + " DROVER_CLUSTER_HOST) to this machine's address on their network");
                }
            }
        }
    }

    /** {@code this node's host:port} as the other members know it. */
    public String self() {
        return (host.contains(":") ? "[" + host + "]" : host) + ":" + port;
    }

    public String describe() {
        return enabled ? "cluster=" + self() + " members=" + String.join(",", members) : "cluster=off";
    }

    /** Splits {@code "h:p, h:p"} and checks each member; a user error names the bad entry. */
    public static List<String> parseMembers(String flag, String list) {
        List<String> out = new ArrayList<>();
        for (String part : list.split(",")) {
            String m = part.trim();
            if (m.isEmpty()) continue;
            parseMember(flag, m);
            out.add(m);
        }
        if (out.isEmpty() && !list.isBlank()) throw new IllegalArgumentException(flag + " '" + list + "' names no member; use host:port,host:port");
        return out;
    }

    /** One {@code host:port} (IPv6 as {@code [::1]:5701}); returns the port. */
    static int parseMember(String flag, String m) {
        int colon = m.lastIndexOf(':');
        String host = colon < 0 ? "" : m.substring(0, colon);
        boolean bracketed = host.startsWith("[") && host.endsWith("]");
        if (colon <= 0 || colon == m.length() - 1 || (host.contains(":") && !bracketed) || host.contains(" ")
                || (bracketed && host.length() == 2)) {
            throw new IllegalArgumentException(flag + ": member '" + m + "' is not host:port (e.g. 10.0.0.5:5701, or [::1]:5701 for IPv6)");
        }
        return parsePort(flag + ": member '" + m + "'", m.substring(colon + 1));
    }

    private static int parsePort(String what, String v) {
        int p;
        try {
            p = Integer.parseInt(v.trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(what + ": port '" + v + "' is not a whole number");
        }
        if (p < 1 || p > 65535) throw new IllegalArgumentException(what + ": port " + p + " is out of range 1-65535");
        return p;
    }

    private static boolean onOff(String what, String v) {
        return switch (v.trim().toLowerCase(Locale.ROOT)) {
            case "on", "true", "yes", "1" -> true;
            case "off", "false", "no", "0" -> false;
            default -> throw new IllegalArgumentException(what + " must be 'on' or 'off', got '" + v + "'");
        };
    }
}

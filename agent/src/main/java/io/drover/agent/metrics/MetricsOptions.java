package io.drover.agent.metrics;

import java.io.IOException;
import picocli.CommandLine.Option;

/**
 * {@code drover agent --metrics-port N [--metrics-host H]} (picocli mixin): off unless a port is
 * given; loopback by default. On another address /metrics has no authentication (like
 * node_exporter): it shows task counts and GPU figures, no secrets; the agent says so at start and
 * a firewall or the Prometheus network should keep others out.
 */
public final class MetricsOptions {
    public static final String DEFAULT_HOST = "127.0.0.1";

    @Option(names = "--metrics-port", paramLabel = "PORT",
            description = "Serve Prometheus metrics at http://HOST:PORT/metrics and liveness at /health (0: any free port; default: off).")
    Integer port;

    @Option(names = "--metrics-host", paramLabel = "HOST",
            description = "Address of --metrics-port (default: ${DEFAULT-VALUE}; another address serves the metrics without authentication).",
            defaultValue = DEFAULT_HOST)
    String host = DEFAULT_HOST;

    public boolean enabled() {
        return port != null;
    }

    /**
     * Starts the server when {@code --metrics-port} was given; null otherwise.
     *
     * @throws IllegalArgumentException with what to do when the port is out of range or cannot be bound
     */
    public MetricsServer start() {
        if (port == null) return null;
        if (port < 0 || port > 65535) throw new IllegalArgumentException("--metrics-port " + port + " is out of range 0-65535");
        try {
            return MetricsServer.start(host, port);
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot serve metrics on " + host + ":" + port + ": " + e.getMessage()
                    + " (pick another --metrics-port, or 0 for any free one)");
        }
    }

    /** A line for the agent's start-up output. */
    public static String describe(MetricsServer s) {
        if (s == null) return "metrics off (--metrics-port N to serve them)";
        String line = "metrics at " + s.url() + "/metrics";
        return s.loopback() ? line : line + " (not loopback: no authentication, keep it behind a firewall)";
    }
}

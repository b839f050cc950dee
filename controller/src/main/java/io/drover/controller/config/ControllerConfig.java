package io.drover.controller.config;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

/**
 * Typed configuration of one controller process, filled from defaults ← environment
 * ({@code DROVER_*}) ← command-line flags (see {@code ControllerMain}).
 *
 * @param host      interface to bind; 127.0.0.1 by default so a fresh install is not exposed
 * @param port      HTTP port; 0 picks a free one (tests)
 * @param dataDir   where the embedded store file ({@code store.mv}) and local artifacts live
 * @param mongoUri  a real MongoDB to use instead of the embedded store, or null
 * @param lease     how long a claim stays valid without a heartbeat
 * @param heartbeat how often agents are told to heartbeat; a worker is online while it was
 *                  seen within three heartbeats
 */
public record ControllerConfig(String host, int port, Path dataDir, String mongoUri,
                               Duration lease, Duration heartbeat) {

    public static final String DEFAULT_HOST = "127.0.0.1";
    public static final int DEFAULT_PORT = 8080;
    public static final Path DEFAULT_DATA = Path.of("drover-data");
    public static final Duration DEFAULT_LEASE = Duration.ofSeconds(30);
    public static final Duration DEFAULT_HEARTBEAT = Duration.ofSeconds(5);

    public ControllerConfig {
        if (host == null || host.isBlank()) throw new IllegalArgumentException("host must not be empty");
        if (port < 0 || port > 65535) throw new IllegalArgumentException("port " + port + " is out of range 0-65535");
        if (dataDir == null) throw new IllegalArgumentException("data directory must be set");
        if (mongoUri != null && mongoUri.isBlank()) mongoUri = null;
        if (lease == null || lease.toMillis() < 1000) throw new IllegalArgumentException("lease must be at least 1 second");
        if (heartbeat == null || heartbeat.toMillis() < 100) throw new IllegalArgumentException("heartbeat must be at least 100 ms");
    }

    /**
     * Checks the rules between fields (kept out of the constructor so that withers can be applied
     * in any order). Called by {@code Controller.start}.
     */
    public ControllerConfig validated() {
        if (heartbeat.compareTo(lease) >= 0) {
            throw new IllegalArgumentException("heartbeat (" + heartbeat.toSeconds() + " s) must be shorter than the lease ("
                    + lease.toSeconds() + " s), or every lease would expire between heartbeats");
        }
        return this;
    }

    public static ControllerConfig defaults() {
        return new ControllerConfig(DEFAULT_HOST, DEFAULT_PORT, DEFAULT_DATA, null, DEFAULT_LEASE, DEFAULT_HEARTBEAT);
    }

    /** Defaults overridden by {@code DROVER_HOST, DROVER_PORT, DROVER_DATA, DROVER_MONGO_URI, DROVER_LEASE_SECONDS, DROVER_HEARTBEAT_SECONDS}. */
    public static ControllerConfig fromEnv(Map<String, String> env) {
        ControllerConfig d = defaults();
        return new ControllerConfig(
                env.getOrDefault("DROVER_HOST", d.host()),
                intEnv(env, "DROVER_PORT", d.port()),
                env.containsKey("DROVER_DATA") ? Path.of(env.get("DROVER_DATA")) : d.dataDir(),
                env.getOrDefault("DROVER_MONGO_URI", d.mongoUri()),
                Duration.ofSeconds(intEnv(env, "DROVER_LEASE_SECONDS", (int) d.lease().toSeconds())),
                Duration.ofSeconds(intEnv(env, "DROVER_HEARTBEAT_SECONDS", (int) d.heartbeat().toSeconds())));
    }

    public ControllerConfig withHost(String v) { return new ControllerConfig(v, port, dataDir, mongoUri, lease, heartbeat); }
    public ControllerConfig withPort(int v) { return new ControllerConfig(host, v, dataDir, mongoUri, lease, heartbeat); }
    public ControllerConfig withDataDir(Path v) { return new ControllerConfig(host, port, v, mongoUri, lease, heartbeat); }
    public ControllerConfig withMongoUri(String v) { return new ControllerConfig(host, port, dataDir, v, lease, heartbeat); }
    public ControllerConfig withLease(Duration v) { return new ControllerConfig(host, port, dataDir, mongoUri, v, heartbeat); }
    public ControllerConfig withHeartbeat(Duration v) { return new ControllerConfig(host, port, dataDir, mongoUri, lease, v); }

    /** Printable form with the password of the MongoDB URI masked. */
    public String describe() {
        return "host=" + host + " port=" + port + " data=" + dataDir.toAbsolutePath().normalize()
                + " store=" + (mongoUri == null ? "embedded (" + dataDir.resolve("store.mv") + ")" : maskUri(mongoUri))
                + " leaseSeconds=" + lease.toSeconds() + " heartbeatSeconds=" + heartbeat.toSeconds();
    }

    /** {@code mongodb://user:secret@h} → {@code mongodb://user:****@h}. */
    public static String maskUri(String uri) {
        return uri.replaceAll("(://[^:/@]*:)[^@/]*@", "$1****@");
    }

    private static int intEnv(Map<String, String> env, String key, int def) {
        String v = env.get(key);
        if (v == null || v.isBlank()) return def;
        try {
            return Integer.parseInt(v.trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(key + "='" + v + "' is not a whole number");
        }
    }
}

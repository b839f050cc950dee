package io.drover.controller.config;

import io.drover.controller.auth.ldap.LdapConfig;
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
 * @param auth       authentication and access control on (default); off only for tests and
 *                   loopback-only use: every caller is then the admin {@code local}
 * @param sessionTtl idle expiry of browser sessions (default 12 h)
 * @param exposure   bind-safety override, TLS and write rate limits ({@link Exposure})
 * @param secretsKeyFile file with the secrets vault's key ({@code --secrets-key-file}); null = env
 *                   {@code DROVER_SECRETS_KEY}, else {@code DATA/secrets.key} (generated on first start)
 * @param ldap       LDAP login ({@code --ldap-*}), or null for local users only
 * @param install    what {@code /install/} serves to GPU boxes ({@link InstallConfig})
 * @param artifactMinFreeMb uploads that would leave less free space (MB) on the artifact volume are
 *                   refused with 507 ({@code --artifact-min-free-mb}, default 512; 0: only a full disk)
 * @param cluster    clustered controllers ({@code --cluster}, {@link ClusterConfig}); off by default
 */
public record ControllerConfig(String host, int port, Path dataDir, String mongoUri,
                               Duration lease, Duration heartbeat, boolean auth, Duration sessionTtl,
                               Exposure exposure, Path secretsKeyFile, LdapConfig ldap, InstallConfig install,
                               long artifactMinFreeMb, ClusterConfig cluster) {

    public static final String DEFAULT_HOST = "127.0.0.1";
    public static final int DEFAULT_PORT = 8080;
    public static final Path DEFAULT_DATA = Path.of("drover-data");
    public static final Duration DEFAULT_LEASE = Duration.ofSeconds(30);
    public static final Duration DEFAULT_HEARTBEAT = Duration.ofSeconds(5);
    public static final Duration DEFAULT_SESSION_TTL = Duration.ofHours(12);
    public static final long DEFAULT_ARTIFACT_MIN_FREE_MB = 512;

    public ControllerConfig {
        if (host == null || host.isBlank()) throw new IllegalArgumentException("host must not be empty");
        if (port < 0 || port > 65535) throw new IllegalArgumentException("port " + port + " is out of range 0-65535");
        if (dataDir == null) throw new IllegalArgumentException("data directory must be set");
        if (mongoUri != null && mongoUri.isBlank()) mongoUri = null;
        if (lease == null || lease.toMillis() < 1000) throw new IllegalArgumentException("lease must be at least 1 second");
        if (heartbeat == null || heartbeat.toMillis() < 100) throw new IllegalArgumentException("heartbeat must be at least 100 ms");
        if (sessionTtl == null) sessionTtl = DEFAULT_SESSION_TTL;
        if (sessionTtl.toMillis() < 1000) throw new IllegalArgumentException("session TTL must be at least 1 second");
        if (exposure == null) exposure = Exposure.DEFAULT;
        if (install == null) install = InstallConfig.NONE;
        if (artifactMinFreeMb < 0) throw new IllegalArgumentException("--artifact-min-free-mb must be 0 or more, got " + artifactMinFreeMb);
        if (cluster == null) cluster = ClusterConfig.OFF;
    }

    /** Without a cluster (for callers written before clustering). */
    public ControllerConfig(String host, int port, Path dataDir, String mongoUri, Duration lease, Duration heartbeat,
                            boolean auth, Duration sessionTtl, Exposure exposure, Path secretsKeyFile, LdapConfig ldap,
                            InstallConfig install, long artifactMinFreeMb) {
        this(host, port, dataDir, mongoUri, lease, heartbeat, auth, sessionTtl, exposure, secretsKeyFile, ldap, install,
                artifactMinFreeMb, ClusterConfig.OFF);
    }

    /** Uploads that would leave less free space (MB) on the artifact volume are refused (507); 0: only a full disk. */
    public ControllerConfig withArtifactMinFreeMb(long v) { return new ControllerConfig(host, port, dataDir, mongoUri, lease, heartbeat, auth, sessionTtl, exposure, secretsKeyFile, ldap, install, v, cluster); }

    /**
     * Checks the rules between fields (kept out of the constructor so that withers can be applied
     * in any order). Called by {@code Controller.start}.
     */
    public ControllerConfig validated() {
        if (heartbeat.compareTo(lease) >= 0) {
            throw new IllegalArgumentException("heartbeat (" + heartbeat.toSeconds() + " s) must be shorter than the lease ("
                    + lease.toSeconds() + " s), or every lease would expire between heartbeats");
        }
        exposure.validate();
        BindSafety.check(host, auth, exposure.insecure());
        cluster.validate(mongoUri);
        return this;
    }

    public static ControllerConfig defaults() {
        return new ControllerConfig(DEFAULT_HOST, DEFAULT_PORT, DEFAULT_DATA, null, DEFAULT_LEASE, DEFAULT_HEARTBEAT,
                true, DEFAULT_SESSION_TTL, Exposure.DEFAULT, null, null, InstallConfig.NONE, DEFAULT_ARTIFACT_MIN_FREE_MB,
                ClusterConfig.OFF);
    }

    /**
     * Defaults overridden by {@code DROVER_HOST, DROVER_PORT, DROVER_DATA, DROVER_MONGO_URI, DROVER_LEASE_SECONDS,
     * DROVER_HEARTBEAT_SECONDS} and the cluster's {@code DROVER_CLUSTER*} ({@link ClusterConfig#fromEnv}).
     */
    public static ControllerConfig fromEnv(Map<String, String> env) {
        ControllerConfig d = defaults();
        return new ControllerConfig(
                env.getOrDefault("DROVER_HOST", d.host()),
                intEnv(env, "DROVER_PORT", d.port()),
                env.containsKey("DROVER_DATA") ? Path.of(env.get("DROVER_DATA")) : d.dataDir(),
                env.getOrDefault("DROVER_MONGO_URI", d.mongoUri()),
                Duration.ofSeconds(intEnv(env, "DROVER_LEASE_SECONDS", (int) d.lease().toSeconds())),
                Duration.ofSeconds(intEnv(env, "DROVER_HEARTBEAT_SECONDS", (int) d.heartbeat().toSeconds())),
                d.auth(),
                Duration.ofSeconds(intEnv(env, "DROVER_SESSION_TTL_SECONDS", (int) d.sessionTtl().toSeconds())),
                Exposure.fromEnv(env), d.secretsKeyFile(), d.ldap(), InstallConfig.fromEnv(env),
                intEnv(env, "DROVER_ARTIFACT_MIN_FREE_MB", (int) DEFAULT_ARTIFACT_MIN_FREE_MB), ClusterConfig.fromEnv(env));
    }

    public ControllerConfig withInstall(InstallConfig v) { return new ControllerConfig(host, port, dataDir, mongoUri, lease, heartbeat, auth, sessionTtl, exposure, secretsKeyFile, ldap, v, artifactMinFreeMb, cluster); }
    public ControllerConfig withHost(String v) { return new ControllerConfig(v, port, dataDir, mongoUri, lease, heartbeat, auth, sessionTtl, exposure, secretsKeyFile, ldap, install, artifactMinFreeMb, cluster); }
    public ControllerConfig withPort(int v) { return new ControllerConfig(host, v, dataDir, mongoUri, lease, heartbeat, auth, sessionTtl, exposure, secretsKeyFile, ldap, install, artifactMinFreeMb, cluster); }
    public ControllerConfig withDataDir(Path v) { return new ControllerConfig(host, port, v, mongoUri, lease, heartbeat, auth, sessionTtl, exposure, secretsKeyFile, ldap, install, artifactMinFreeMb, cluster); }
    public ControllerConfig withMongoUri(String v) { return new ControllerConfig(host, port, dataDir, v, lease, heartbeat, auth, sessionTtl, exposure, secretsKeyFile, ldap, install, artifactMinFreeMb, cluster); }
    public ControllerConfig withLease(Duration v) { return new ControllerConfig(host, port, dataDir, mongoUri, v, heartbeat, auth, sessionTtl, exposure, secretsKeyFile, ldap, install, artifactMinFreeMb, cluster); }
    public ControllerConfig withHeartbeat(Duration v) { return new ControllerConfig(host, port, dataDir, mongoUri, lease, v, auth, sessionTtl, exposure, secretsKeyFile, ldap, install, artifactMinFreeMb, cluster); }
    /** Authentication and access control on (the default) or off (tests; loopback-only use). */
    public ControllerConfig withAuth(boolean v) { return new ControllerConfig(host, port, dataDir, mongoUri, lease, heartbeat, v, sessionTtl, exposure, secretsKeyFile, ldap, install, artifactMinFreeMb, cluster); }
    public ControllerConfig withSessionTtl(Duration v) { return new ControllerConfig(host, port, dataDir, mongoUri, lease, heartbeat, auth, v, exposure, secretsKeyFile, ldap, install, artifactMinFreeMb, cluster); }
    /** The secrets vault's key file ({@code --secrets-key-file}). */
    public ControllerConfig withSecretsKeyFile(Path v) { return new ControllerConfig(host, port, dataDir, mongoUri, lease, heartbeat, auth, sessionTtl, exposure, v, ldap, install, artifactMinFreeMb, cluster); }
    /** LDAP login, or null for local users only. */
    public ControllerConfig withLdap(LdapConfig v) { return new ControllerConfig(host, port, dataDir, mongoUri, lease, heartbeat, auth, sessionTtl, exposure, secretsKeyFile, v, install, artifactMinFreeMb, cluster); }

    /** Clustered controllers ({@code --cluster}, {@link ClusterConfig}). */
    public ControllerConfig withCluster(ClusterConfig v) { return new ControllerConfig(host, port, dataDir, mongoUri, lease, heartbeat, auth, sessionTtl, exposure, secretsKeyFile, ldap, install, artifactMinFreeMb, v); }

    public ControllerConfig withExposure(Exposure v) { return new ControllerConfig(host, port, dataDir, mongoUri, lease, heartbeat, auth, sessionTtl, v, secretsKeyFile, ldap, install, artifactMinFreeMb, cluster); }
    /** Allow a non-loopback address with auth off ({@code --insecure}). */
    public ControllerConfig withInsecure(boolean v) { return withExposure(exposure.withInsecure(v)); }
    /** HTTPS with this PEM certificate and key (both or neither; checked by {@link #validated}). */
    public ControllerConfig withTls(Path cert, Path key) { return withExposure(exposure.withTls(cert, key)); }
    /** Per-credential write rate limit: {@code rate} requests per second, bursts of {@code burst}. */
    public ControllerConfig withWriteLimit(double rate, int burst) { return withExposure(exposure.withWriteLimit(rate, burst)); }

    /** HTTPS on: base URLs are https and the session cookie is {@code Secure}. */
    public boolean tlsEnabled() {
        return exposure.tlsEnabled();
    }

    /** Printable form with the password of the MongoDB URI masked. */
    public String describe() {
        return "host=" + host + " port=" + port + " data=" + dataDir.toAbsolutePath().normalize()
                + " store=" + (mongoUri == null ? "embedded (" + dataDir.resolve("store.mv") + ")" : maskUri(mongoUri))
                + " leaseSeconds=" + lease.toSeconds() + " heartbeatSeconds=" + heartbeat.toSeconds()
                + " auth=" + (auth ? "on" : "OFF") + " " + exposure.describe()
                + (secretsKeyFile == null ? "" : " secretsKeyFile=" + secretsKeyFile)
                + (ldap == null ? "" : " ldap=[" + ldap.describe() + "]")
                + (install.agentBundle() == null ? "" : " agentBundle=" + install.agentBundle())
                + " artifactMinFreeMb=" + artifactMinFreeMb
                + (cluster.enabled() ? " " + cluster.describe() : "");
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

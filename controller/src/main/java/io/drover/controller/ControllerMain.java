package io.drover.controller;

import io.drover.controller.config.BindSafety;
import io.drover.controller.config.ClientConfigFile;
import io.drover.controller.config.ControllerConfig;
import io.drover.controller.store.EmbeddedStore;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code drover controller}: starts a controller and runs until stopped (SIGTERM / Ctrl-C). */
@Command(name = "drover-controller", mixinStandardHelpOptions = true,
        description = "Runs the Drover controller: REST API, dashboard and store.")
public final class ControllerMain implements Callable<Integer> {

    @Option(names = "--host", description = "Interface to bind (env DROVER_HOST; default 127.0.0.1).")
    String host;

    @Option(names = "--port", description = "HTTP port, 0 = any free port (env DROVER_PORT; default 8080).")
    Integer port;

    @Option(names = "--data", description = "Data directory for the embedded store and artifacts (env DROVER_DATA; default ./drover-data).")
    Path data;

    @Option(names = "--mongo-uri", description = "Use this MongoDB instead of the embedded store (env DROVER_MONGO_URI).")
    String mongoUri;

    @Option(names = "--lease-seconds", description = "Lease of a claimed task without heartbeat (env DROVER_LEASE_SECONDS; default 30).")
    Integer leaseSeconds;

    @Option(names = "--heartbeat-seconds", description = "Agent heartbeat interval (env DROVER_HEARTBEAT_SECONDS; default 5).")
    Integer heartbeatSeconds;

    @Option(names = "--auth", paramLabel = "on|off",
            description = "Authentication and access control (default on). Off is allowed only on a loopback address unless --insecure.")
    String auth;

    @Option(names = "--insecure",
            description = "Allow listening on a non-loopback address with --auth off (anyone who can reach it can run code on your agents).")
    boolean insecure;

    @Option(names = "--tls-cert", paramLabel = "FILE", description = "PEM certificate (chain) for HTTPS; needs --tls-key (env DROVER_TLS_CERT).")
    Path tlsCert;

    @Option(names = "--tls-key", paramLabel = "FILE", description = "PEM private key of --tls-cert (env DROVER_TLS_KEY).")
    Path tlsKey;

    @Option(names = "--write-rate", paramLabel = "N",
            description = "State-changing requests per second per credential or IP (env DROVER_WRITE_RATE; default 50).")
    Double writeRate;

    @Option(names = "--write-burst", paramLabel = "N",
            description = "Burst allowance of --write-rate (env DROVER_WRITE_BURST; default 200).")
    Integer writeBurst;

    @Option(names = "--agent-bundle", paramLabel = "FILE",
            description = "Agent bundle served to GPU boxes at /install/ (scripts/build-agent-bundle.sh makes it; env DROVER_AGENT_BUNDLE).")
    Path agentBundle;

    @Option(names = "--public-url", paramLabel = "URL",
            description = "URL agents reach this controller at, written into /install/agent.sh (env DROVER_PUBLIC_URL; default: from each request).")
    String publicUrl;

    @Option(names = "--artifact-min-free-mb", paramLabel = "MB",
            description = "Refuse artifact uploads (507) that would leave less free space on the artifact volume, 0 = only when full "
                    + "(env DROVER_ARTIFACT_MIN_FREE_MB; default 512).")
    Long artifactMinFreeMb;

    @Option(names = "--write-client-config",
            description = "Write the controller URL to $DROVER_HOME/config.json (default ~/.drover/config.json) for the CLI and agents.")
    boolean writeClientConfig;

    // read by main() from the raw arguments (the log backend is chosen before parsing); here for --help and validation
    @Option(names = "--log-format", paramLabel = "text|json",
            description = "Log as text lines (default) or one JSON object per line on stderr (env DROVER_LOG_FORMAT).")
    String logFormat;

    @Option(names = "--cluster",
            description = "Join a cluster of controllers (Vert.x over Hazelcast, TCP-IP join); needs --cluster-members and a shared --mongo-uri (env DROVER_CLUSTER=on).")
    boolean cluster;

    @Option(names = "--cluster-members", paramLabel = "HOST:PORT[,HOST:PORT...]",
            description = "Every controller's cluster address, this one's included (env DROVER_CLUSTER_MEMBERS).")
    String clusterMembers;

    @Option(names = "--cluster-host", paramLabel = "HOST",
            description = "Address of this controller that the others reach it at (env DROVER_CLUSTER_HOST; default 127.0.0.1).")
    String clusterHost;

    @Option(names = "--cluster-port", paramLabel = "PORT",
            description = "This controller's cluster (Hazelcast) port (env DROVER_CLUSTER_PORT; default 5701).")
    Integer clusterPort;

    @CommandLine.Mixin
    io.drover.controller.secrets.SecretsOptions secretsOptions = new io.drover.controller.secrets.SecretsOptions();

    @CommandLine.Mixin
    io.drover.controller.auth.ldap.LdapOptions ldapOptions = new io.drover.controller.auth.ldap.LdapOptions();

    public static void main(String[] args) {
        try {
            io.drover.shared.logging.LogFormat.choose(args, System.getenv()).install();
        } catch (IllegalArgumentException e) {
            System.err.println("drover controller: " + e.getMessage());
            System.exit(2);
        }
        Logging.configure();
        System.exit(new CommandLine(new ControllerMain()).execute(args));
    }

    /** The effective configuration: defaults ← environment ← the flags given. */
    public ControllerConfig config() {
        ControllerConfig c = ControllerConfig.fromEnv(System.getenv());
        if (host != null) c = c.withHost(host);
        if (port != null) c = c.withPort(port);
        if (data != null) c = c.withDataDir(data);
        if (mongoUri != null) c = c.withMongoUri(mongoUri);
        if (leaseSeconds != null) c = c.withLease(Duration.ofSeconds(leaseSeconds));
        if (heartbeatSeconds != null) c = c.withHeartbeat(Duration.ofSeconds(heartbeatSeconds));
        if (auth != null) c = c.withAuth(onOff(auth));
        if (insecure) c = c.withInsecure(true);
        if (tlsCert != null || tlsKey != null) {
            c = c.withTls(tlsCert != null ? tlsCert : c.exposure().tlsCert(), tlsKey != null ? tlsKey : c.exposure().tlsKey());
        }
        if (writeRate != null || writeBurst != null) {
            c = c.withWriteLimit(writeRate != null ? writeRate : c.exposure().writeRate(),
                    writeBurst != null ? writeBurst : c.exposure().writeBurst());
        }
        if (agentBundle != null) c = c.withInstall(c.install().withAgentBundle(agentBundle));
        if (publicUrl != null) c = c.withInstall(c.install().withPublicUrl(publicUrl));
        if (artifactMinFreeMb != null) c = c.withArtifactMinFreeMb(artifactMinFreeMb);
        c = c.withCluster(clusterFlags(c.cluster()));
        c = secretsOptions.apply(c);
        c = ldapOptions.apply(c, System.getenv());
        return c;
    }

    private io.drover.controller.config.ClusterConfig clusterFlags(io.drover.controller.config.ClusterConfig k) {
        if (cluster) k = k.withEnabled(true);
        if (clusterMembers != null) k = k.withMembers(io.drover.controller.config.ClusterConfig.parseMembers("--cluster-members", clusterMembers));
        if (clusterHost != null) k = k.withHost(clusterHost);
        if (clusterPort != null) k = k.withPort(clusterPort);
        return k;
    }

    private static boolean onOff(String v) {
        return switch (v.trim().toLowerCase(java.util.Locale.ROOT)) {
            case "on", "true", "yes" -> true;
            case "off", "false", "no" -> false;
            default -> throw new IllegalArgumentException("--auth must be 'on' or 'off', got '" + v + "'");
        };
    }

    /**
     * First start with auth on: the admin's password once on the console, and the CLI's and the
     * local agent's keys into the client config (with --write-client-config), never into a log.
     */
    private void firstStart(io.drover.controller.auth.Bootstrap.Result r, String url) throws java.io.IOException {
        System.out.println(io.drover.controller.auth.Bootstrap.banner(r, url));
        if (writeClientConfig) {
            Path file = ClientConfigFile.location(System.getenv());
            ClientConfigFile.write(file, java.util.Map.of("apiKey", r.adminKey(), "agentKey", r.agentKey()));
            System.out.println("Wrote an admin API key (apiKey) and a worker key for the local agent (agentKey) to " + file);
        } else {
            System.out.println("Create API keys after logging in: drover login, then drover keys create");
        }
    }

    @Override
    public Integer call() throws Exception {
        ControllerConfig cfg;
        try {
            cfg = config().validated();
        } catch (IllegalArgumentException e) {
            System.err.println("drover controller: " + e.getMessage());
            return 2;
        }
        System.out.println("Drover controller config: " + cfg.describe());
        if (BindSafety.exposedWithoutAuth(cfg)) { // allowed only by --insecure (validated)
            System.err.println(BindSafety.warning(cfg.host()));
            System.err.flush();
        }
        if (BindSafety.plainHttpOnNetwork(cfg)) System.err.println(BindSafety.plainHttpNote(cfg.host()));
        Controller controller;
        try {
            controller = Controller.start(cfg);
        } catch (EmbeddedStore.DataDirInUseException | io.drover.controller.cluster.ClusterNode.ClusterStartException e) {
            System.err.println("drover controller: " + e.getMessage());
            return 1;
        } catch (java.util.concurrent.ExecutionException e) {
            // typically the port is taken
            System.err.println("drover controller: cannot listen on " + cfg.host() + ":" + cfg.port() + ": "
                    + e.getCause().getMessage() + (cfg.tlsEnabled()
                    ? " (check that --tls-cert and --tls-key are a matching PEM certificate and key, or use --port to pick another port)"
                    : " (use --port to pick another port)"));
            return 1;
        }
        String url = controller.baseUrl();
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            controller.close();
            stopped.countDown();
        }, "drover-shutdown"));
        if (writeClientConfig) {
            Path file = ClientConfigFile.location(System.getenv());
            ClientConfigFile.writeController(file, url);
            System.out.println("Wrote the controller URL to " + file);
        }
        if (controller.bootstrap() != null) firstStart(controller.bootstrap(), url);
        System.out.println("Drover controller listening on " + url + " (dashboard: " + url + "/)");
        System.out.flush();
        stopped.await();
        return 0;
    }
}

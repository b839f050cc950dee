package io.drover.controller;

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

    @Option(names = "--write-client-config",
            description = "Write the controller URL to $DROVER_HOME/config.json (default ~/.drover/config.json) for the CLI and agents.")
    boolean writeClientConfig;

    public static void main(String[] args) {
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
        return c;
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
        Controller controller;
        try {
            controller = Controller.start(cfg);
        } catch (EmbeddedStore.DataDirInUseException e) {
            System.err.println("drover controller: " + e.getMessage());
            return 1;
        } catch (java.util.concurrent.ExecutionException e) {
            // typically the port is taken
            System.err.println("drover controller: cannot listen on " + cfg.host() + ":" + cfg.port() + ": "
                    + e.getCause().getMessage() + " (use --port to pick another port)");
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
        System.out.println("Drover controller listening on " + url + " (dashboard: " + url + "/)");
        System.out.flush();
        stopped.await();
        return 0;
    }
}

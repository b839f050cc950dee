package io.drover.controller.store;

import io.drover.controller.config.BindSafety;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code drover store}: the embedded store as a server of its own, shared by several controllers
 * ({@code drover controller --mongo-uri mongodb://HOST:PORT}). Runs until stopped (SIGTERM / Ctrl-C).
 */
@Command(name = "drover store", mixinStandardHelpOptions = true,
        description = "Runs the embedded store (MongoDB wire protocol, data in DIR/store.mv) as a server that several"
                + " controllers share: start each with --mongo-uri mongodb://HOST:PORT. Every write is on disk before it"
                + " is acknowledged. For production use a MongoDB replica set instead.")
public final class StoreMain implements Callable<Integer> {

    @Option(names = "--port", required = true, paramLabel = "PORT", description = "TCP port to listen on (0 = any free port).")
    int port;

    @Option(names = "--data", required = true, paramLabel = "DIR", description = "Data directory; the store is DIR/store.mv.")
    Path data;

    @Option(names = "--host", paramLabel = "HOST", description = "Interface to bind (default 127.0.0.1). The store has no authentication.")
    String host = "127.0.0.1";

    @Option(names = "--insecure",
            description = "Allow a non-loopback --host: anyone who can reach it can read and change all data.")
    boolean insecure;

    public static void main(String[] args) {
        quietLogs();
        System.exit(new CommandLine(new StoreMain()).execute(args));
    }

    /** mongo-java-server logs every connection at INFO. */
    private static void quietLogs() {
        for (String l : new String[] {"de.bwaldvogel.mongo.wire.MongoWireProtocolHandler",
                "de.bwaldvogel.mongo.backend.AbstractMongoBackend", "de.bwaldvogel.mongo.MongoServer", "io.netty"}) {
            System.setProperty("org.slf4j.simpleLogger.log." + l, "warn");
        }
        // warns at every start that non-unique indexes are ignored (known, see STACK-NOTES.md)
        System.setProperty("org.slf4j.simpleLogger.log.de.bwaldvogel.mongo.backend.AbstractMongoDatabase", "error");
        System.setProperty("org.slf4j.simpleLogger.showDateTime", "true");
        System.setProperty("org.slf4j.simpleLogger.dateTimeFormat", "yyyy-MM-dd'T'HH:mm:ss.SSSZ");
    }

    /** Why binding {@code host} is refused (not loopback, no --insecure), or null when allowed. */
    static String bindRefusal(String host, boolean insecure) {
        if (insecure || BindSafety.isLoopback(host)) return null;
        return "refusing to listen on " + host + ": the store has no authentication, so anyone who can reach that"
                + " address could read and change all data. Bind 127.0.0.1 (the default) and run the controllers on"
                + " this machine, use a MongoDB replica set with authentication, or pass --insecure on a network you"
                + " fully trust";
    }

    @Override
    public Integer call() throws Exception {
        if (port < 0 || port > 65535) {
            System.err.println("drover store: --port " + port + " is not a port number (0-65535)");
            return 2;
        }
        String refusal = bindRefusal(host, insecure);
        if (refusal != null) {
            System.err.println("drover store: " + refusal);
            return 2;
        }
        if (!BindSafety.isLoopback(host)) {
            System.err.println("WARNING: the store listens on " + host + " WITHOUT AUTHENTICATION (--insecure):"
                    + " anyone who can reach it can read and change all data");
        }
        StoreServer server;
        try {
            server = StoreServer.start(data, host, port);
        } catch (EmbeddedStore.DataDirInUseException e) {
            System.err.println("drover store: the data directory " + data.toAbsolutePath().normalize()
                    + " is in use by another process (a controller or another drover store); stop it first, or use another --data");
            return 1;
        } catch (StoreServer.PortInUseException e) {
            System.err.println("drover store: " + e.getMessage());
            return 1;
        }
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            server.close();
            stopped.countDown();
        }, "drover-store-shutdown"));
        System.out.println("Drover store listening on " + server.connectionString() + " (data "
                + data.resolve(EmbeddedStore.FILE_NAME).toAbsolutePath().normalize() + ")");
        System.out.println("Start controllers with: drover controller --mongo-uri " + server.connectionString());
        System.out.flush();
        stopped.await();
        return 0;
    }
}

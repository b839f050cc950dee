package io.drover.controller.store;

import de.bwaldvogel.mongo.MongoServer;
import java.io.IOException;
import java.net.BindException;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import org.h2.mvstore.MVStore;

/**
 * The standalone store ({@code drover store}): the embedded mongo-java-server over
 * {@code DATA/store.mv}, listening on a TCP port so several controllers can share it with
 * {@code --mongo-uri}. Unlike the controller's in-process store, durability is the server's own
 * job here (the controllers treat it like a real MongoDB): every write command is committed to
 * disk before it is acknowledged ({@link StoreServerBackend}).
 */
public final class StoreServer implements AutoCloseable {
    static final int RETENTION_MS = 1000;

    private final MongoServer server;
    private final StoreServerBackend backend;
    private final InetSocketAddress address;

    private StoreServer(MongoServer server, StoreServerBackend backend, InetSocketAddress address) {
        this.server = server;
        this.backend = backend;
        this.address = address;
    }

    /**
     * Opens (compacting first) the store in {@code dataDir} and listens on {@code host:port}
     * (port 0 = any free port).
     *
     * @throws EmbeddedStore.DataDirInUseException when another process has the store file open
     * @throws PortInUseException                  when the port is taken
     */
    public static StoreServer start(Path dataDir, String host, int port) throws IOException {
        MVStore mv = EmbeddedStore.openFile(dataDir);
        // Each commit writes a new chunk; H2 keeps freed chunks for 45 s by default in case the disk
        // has not flushed, which at a few hundred commits a second grew the file to 470 MB for 4 MB of
        // documents. Every commit here is fsynced, so a short retention is safe: with 1 s the same
        // 16,000 inserts left a 56 MB file.
        mv.setRetentionTime(RETENTION_MS);
        StoreServerBackend backend = new StoreServerBackend(mv);
        MongoServer server = new MongoServer(backend);
        try {
            // blocking commits hold a netty worker thread each: have enough for concurrent clients
            int workers = Math.max(8, 2 * Runtime.getRuntime().availableProcessors());
            server.bind(new InetSocketAddress(host, port), 1, workers);
            return new StoreServer(server, backend, server.getLocalAddress());
        } catch (Exception e) { // netty rethrows the checked BindException undeclared
            try {
                server.shutdownNow();
            } catch (RuntimeException ignored) {
                // never bound: nothing to stop
            }
            if (!mv.isClosed()) backend.close();
            if (rootCause(e) instanceof BindException) throw new PortInUseException(host, port, rootCause(e));
            throw new IOException("cannot listen on " + host + ":" + port + ": " + e.getMessage(), e);
        }
    }

    private static Throwable rootCause(Throwable t) {
        while (t.getCause() != null && t.getCause() != t) t = t.getCause();
        return t;
    }

    public InetSocketAddress address() {
        return address;
    }

    /** What controllers pass as {@code --mongo-uri}. */
    public String connectionString() {
        String h = address.getAddress().getHostAddress();
        if (address.getAddress().isAnyLocalAddress()) h = "127.0.0.1";
        if (h.contains(":")) h = "[" + h + "]";
        return "mongodb://" + h + ":" + address.getPort();
    }

    /** Stops listening, commits and closes the file (releasing its lock). */
    @Override
    public void close() {
        server.shutdown(); // closes the backend: pending commits, then the MVStore
    }

    /** The port is taken (another store, or anything else). */
    public static final class PortInUseException extends IOException {
        PortInUseException(String host, int port, Throwable cause) {
            super("port " + port + " on " + host + " is already in use (" + cause.getMessage()
                    + "); stop what listens there, or pick another --port", cause);
        }
    }
}

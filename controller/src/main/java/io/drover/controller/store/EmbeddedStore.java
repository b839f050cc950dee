package io.drover.controller.store;

import de.bwaldvogel.mongo.MongoServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import org.h2.mvstore.MVStore;
import org.h2.mvstore.MVStoreException;
import org.h2.mvstore.MVStoreTool;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The embedded MongoDB-wire server (mongo-java-server, H2 backend made copy-on-write by
 * {@link CopyOnWriteH2Backend}) over {@code DATA/store.mv}, bound to loopback on a free port so the
 * controller talks to it with the real driver.
 */
public final class EmbeddedStore implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(EmbeddedStore.class);
    public static final String FILE_NAME = "store.mv";

    private final MVStore mvStore;
    private final MongoServer server;
    private final InetSocketAddress address;

    private EmbeddedStore(MVStore mvStore, MongoServer server, InetSocketAddress address) {
        this.mvStore = mvStore;
        this.server = server;
        this.address = address;
    }

    /**
     * Compacts and opens the store file. Compaction must happen before opening (compacting an open
     * store does nothing) and keeps the file small despite the frequent group commits.
     *
     * @throws DataDirInUseException when another process holds the file
     */
    public static EmbeddedStore open(Path dataDir) throws IOException {
        MVStore mv = openFile(dataDir);
        // copy-on-write documents: concurrent requests never see (or fail on) a document being updated
        MongoServer server = new MongoServer(new CopyOnWriteH2Backend(mv));
        InetSocketAddress addr;
        try {
            server.bind("127.0.0.1", 0);
            addr = server.getLocalAddress();
        } catch (RuntimeException e) {
            mv.close();
            throw e;
        }
        return new EmbeddedStore(mv, server, addr);
    }

    /**
     * Compacts, then opens {@code DATA/store.mv} (creating the directory). Shared with the
     * standalone {@link StoreServer}: the same file format and the same locking either way.
     *
     * @throws DataDirInUseException when another process holds the file
     */
    static MVStore openFile(Path dataDir) throws IOException {
        Files.createDirectories(dataDir);
        Path file = dataDir.resolve(FILE_NAME).toAbsolutePath();
        String name = file.toString();
        if (Files.exists(file)) {
            long before = Files.size(file);
            long t0 = System.nanoTime();
            try {
                MVStoreTool.compact(name, false);
            } catch (MVStoreException e) {
                throw translate(e, dataDir);
            }
            log.info("compacted {} from {} KiB to {} KiB in {} ms", file, before / 1024, Files.size(file) / 1024,
                    (System.nanoTime() - t0) / 1_000_000);
        }
        try {
            return new MVStore.Builder().fileName(name).open();
        } catch (MVStoreException e) {
            throw translate(e, dataDir);
        }
    }

    private static IOException translate(MVStoreException e, Path dataDir) {
        String msg = String.valueOf(e.getMessage());
        if (msg.contains("locked")) {
            return new DataDirInUseException(dataDir);
        }
        return new IOException("cannot open the store in " + dataDir.toAbsolutePath() + ": " + msg
                + " (if the file is damaged, restore it from a backup or move it away to start empty)", e);
    }

    public String connectionString() {
        return "mongodb://127.0.0.1:" + address.getPort();
    }

    public MVStore mvStore() {
        return mvStore;
    }

    @Override
    public void close() {
        // shutdown closes the backend, which commits and closes the MVStore (releasing the file lock)
        server.shutdown();
        if (!mvStore.isClosed()) mvStore.close();
    }

    /** Another controller (or a stray process) has the store file open. */
    public static final class DataDirInUseException extends IOException {
        public DataDirInUseException(Path dataDir) {
            super("data directory " + dataDir.toAbsolutePath().normalize() + " is in use by another controller;"
                    + " stop it first, or start this one with another --data directory");
        }
    }
}

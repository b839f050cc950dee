package io.drover.controller.load;

import de.bwaldvogel.mongo.MongoServer;
import de.bwaldvogel.mongo.backend.h2.H2Backend;
import de.bwaldvogel.mongo.backend.memory.MemoryBackend;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import org.h2.mvstore.MVStore;

/**
 * The shared store the controllers of one run use: the embedded mongo-java-server (H2 file
 * backend, as {@code drover store} serves it, or the memory backend) bound to a loopback port,
 * reached by every controller with {@code --mongo-uri}. A fresh one per run.
 */
final class LoadStore implements AutoCloseable {
    private final MongoServer server;
    private final MVStore mv;
    private final String uri;

    private LoadStore(MongoServer server, MVStore mv) {
        this.server = server;
        this.mv = mv;
        server.bind("127.0.0.1", 0);
        InetSocketAddress a = server.getLocalAddress();
        this.uri = "mongodb://127.0.0.1:" + a.getPort() + "/drover";
    }

    /** H2 backend on {@code dir/store.mv}. */
    static LoadStore h2(Path dir) {
        MVStore mv = new MVStore.Builder().fileName(dir.resolve("store.mv").toString()).open();
        return new LoadStore(new MongoServer(new H2Backend(mv)), mv);
    }

    static LoadStore memory() {
        return new LoadStore(new MongoServer(new MemoryBackend()), null);
    }

    static LoadStore open(String backend, Path dir) {
        return switch (backend) {
            case "h2" -> h2(dir);
            case "memory" -> memory();
            default -> throw new IllegalArgumentException("--backend must be h2 or memory, got '" + backend + "'");
        };
    }

    String uri() {
        return uri;
    }

    @Override
    public void close() {
        server.shutdownNow();
        if (mv != null) mv.close();
    }
}

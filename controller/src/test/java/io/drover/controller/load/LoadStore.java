package io.drover.controller.load;

import de.bwaldvogel.mongo.MongoServer;
import de.bwaldvogel.mongo.backend.memory.MemoryBackend;
import io.drover.controller.store.CopyOnWriteH2Backend;
import io.drover.controller.store.StoreServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import org.h2.mvstore.MVStore;

/**
 * The shared store the controllers of one run use, reached by every controller with
 * {@code --mongo-uri}: {@code h2} is what {@code drover store --data DIR} serves (H2 file, every
 * write group-committed before it is acknowledged), {@code memory} the mongo-java-server memory
 * backend; {@code h2-memory} the H2 backend without a file (the test suite: no disk sync, and
 * unlike the memory backend it never hands out a document another command is changing). A fresh
 * one per run, on loopback.
 */
final class LoadStore implements AutoCloseable {
    static final String DATABASE = "drover";

    private final AutoCloseable server;
    private final String uri;

    private LoadStore(AutoCloseable server, String uri) {
        this.server = server;
        this.uri = uri;
    }

    static LoadStore open(String backend, Path dir) throws IOException {
        switch (backend) {
            case "h2" -> {
                StoreServer s = StoreServer.start(dir.resolve("store"), "127.0.0.1", 0);
                return new LoadStore(s, s.connectionString() + "/" + DATABASE);
            }
            case "h2-memory" -> {
                // the same backend without a file: no disk sync per write, for a test that must not depend on the disk
                MVStore mv = new MVStore.Builder().open();
                MongoServer m = new MongoServer(new CopyOnWriteH2Backend(mv));
                m.bind("127.0.0.1", 0);
                InetSocketAddress a = m.getLocalAddress();
                return new LoadStore(() -> {
                    m.shutdownNow();
                    mv.close();
                }, "mongodb://127.0.0.1:" + a.getPort() + "/" + DATABASE);
            }
            case "memory" -> {
                MongoServer m = new MongoServer(new MemoryBackend());
                m.bind("127.0.0.1", 0);
                InetSocketAddress a = m.getLocalAddress();
                return new LoadStore(m::shutdownNow, "mongodb://127.0.0.1:" + a.getPort() + "/" + DATABASE);
            }
            default -> throw new IllegalArgumentException("--backend must be h2 (the 'drover store' server), h2-memory or memory, got '" + backend + "'");
        }
    }

    String uri() {
        return uri;
    }

    @Override
    public void close() throws Exception {
        server.close();
    }
}

package io.drover.queue.testing;

import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoClients;
import de.bwaldvogel.mongo.MongoBackend;
import de.bwaldvogel.mongo.MongoServer;
import de.bwaldvogel.mongo.backend.h2.H2Backend;
import de.bwaldvogel.mongo.backend.memory.MemoryBackend;
import org.h2.mvstore.MVStore;

import java.net.InetSocketAddress;
import java.nio.file.Path;

/**
 * An in-process mongo-java-server on 127.0.0.1 and a real driver client connected to it over
 * loopback, for tests and benchmarks. Part of the queue's test-jar, so other modules can reuse it.
 */
public final class EmbeddedMongo implements AutoCloseable {
    private final MongoServer server;
    private final MVStore mvStore;
    private final MongoClient client;
    private final String uri;

    private EmbeddedMongo(MongoBackend backend, MVStore mvStore) {
        this.server = new MongoServer(backend);
        this.mvStore = mvStore;
        server.bind("127.0.0.1", 0);
        InetSocketAddress addr = server.getLocalAddress();
        this.uri = "mongodb://127.0.0.1:" + addr.getPort();
        this.client = MongoClients.create(uri);
    }

    /** The memory backend. */
    public static EmbeddedMongo memory() {
        return new EmbeddedMongo(new MemoryBackend(), null);
    }

    /** The H2 backend on an MVStore file (as the controller runs it), or in memory when {@code file} is null. */
    public static EmbeddedMongo h2(Path file) {
        MVStore store = file == null
                ? new MVStore.Builder().open()
                : new MVStore.Builder().fileName(file.toString()).open();
        return new EmbeddedMongo(new H2Backend(store), store);
    }

    public MongoClient client() {
        return client;
    }

    public String uri() {
        return uri;
    }

    @Override
    public void close() {
        client.close();
        server.shutdownNow();
        if (mvStore != null && !mvStore.isClosed()) mvStore.close();
    }
}

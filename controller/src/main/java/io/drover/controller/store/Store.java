package io.drover.controller.store;

import com.mongodb.ConnectionString;
import com.mongodb.MongoClientSettings;
import com.mongodb.WriteConcern;
import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoClients;
import com.mongodb.client.MongoCollection;
import com.mongodb.client.MongoDatabase;
import io.drover.controller.config.ControllerConfig;
import java.io.IOException;
import java.util.concurrent.TimeUnit;
import org.bson.Document;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The controller's connection to MongoDB: either a real server ({@code --mongo-uri}, journaled
 * majority writes) or the embedded one in the data directory (durable through {@link GroupCommit}).
 * One code path serves both.
 */
public final class Store implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Store.class);
    public static final String DEFAULT_DATABASE = "drover";
    /**
     * Client timeouts for {@code --mongo-uri}: long enough for a replica-set election (about 10 s:
     * selection waits 5 s, the agents retry), short enough that an API request answers 503 in
     * seconds. The read timeout only catches a silently dead link: no command of the controller
     * runs anywhere near 30 s on a healthy store.
     */
    static final int SELECTION_TIMEOUT_S = 5;
    static final int CONNECT_TIMEOUT_S = 5;
    static final int READ_TIMEOUT_S = 30;

    private final MongoClient client;
    private final MongoDatabase db;
    private final Durability durability;
    private final EmbeddedStore embedded;
    private final String description;
    private final CommandTimings timings;
    private volatile boolean closed;

    private Store(MongoClient client, MongoDatabase db, Durability durability, EmbeddedStore embedded, String description,
                  CommandTimings timings) {
        this.client = client;
        this.db = db;
        this.durability = durability;
        this.embedded = embedded;
        this.description = description;
        this.timings = timings;
    }

    public static Store open(ControllerConfig cfg) throws IOException {
        CommandTimings timings = new CommandTimings(); // the store latency metric
        if (cfg.mongoUri() != null) {
            ConnectionString cs = new ConnectionString(cfg.mongoUri());
            MongoClient client = MongoClients.create(MongoClientSettings.builder()
                    .applyConnectionString(cs)
                    // an unreachable store fails a request in seconds (API 503) instead of the driver's 30 s;
                    // what the URI sets itself (serverSelectionTimeoutMS, connectTimeoutMS, socketTimeoutMS) wins
                    .applyToClusterSettings(b -> {
                        if (cs.getServerSelectionTimeout() == null) b.serverSelectionTimeout(SELECTION_TIMEOUT_S, TimeUnit.SECONDS);
                    })
                    .applyToSocketSettings(b -> {
                        if (cs.getConnectTimeout() == null) b.connectTimeout(CONNECT_TIMEOUT_S, TimeUnit.SECONDS);
                        if (cs.getSocketTimeout() == null) b.readTimeout(READ_TIMEOUT_S, TimeUnit.SECONDS);
                    })
                    // an acknowledged write is on the journal of a majority: survives a crash and a failover
                    .writeConcern(WriteConcern.MAJORITY.withJournal(true))
                    .addCommandListener(timings)
                    .build());
            String dbName = cs.getDatabase() != null ? cs.getDatabase() : DEFAULT_DATABASE;
            Store s = new Store(client, client.getDatabase(dbName), Durability.none(), null,
                    ControllerConfig.maskUri(cfg.mongoUri()), timings);
            s.ping();
            return s;
        }
        EmbeddedStore embedded = EmbeddedStore.open(cfg.dataDir());
        try {
            MongoClient client = MongoClients.create(MongoClientSettings.builder()
                    .applyConnectionString(new ConnectionString(embedded.connectionString()))
                    .applyToClusterSettings(b -> b.serverSelectionTimeout(10, TimeUnit.SECONDS))
                    .addCommandListener(timings)
                    .build());
            GroupCommit commit = new GroupCommit(embedded.mvStore()::commit);
            Store s = new Store(client, client.getDatabase(DEFAULT_DATABASE), commit, embedded,
                    "embedded " + cfg.dataDir().resolve(EmbeddedStore.FILE_NAME).toAbsolutePath().normalize(), timings);
            s.ping();
            return s;
        } catch (RuntimeException e) {
            embedded.close();
            throw e;
        }
    }

    private void ping() {
        db.runCommand(new Document("ping", 1));
        log.info("store: {}", description);
    }

    public MongoDatabase db() {
        return db;
    }

    public MongoCollection<Document> collection(String name) {
        return db.getCollection(name);
    }

    public MongoCollection<Document> tasks() {
        return collection(Collections.TASKS);
    }

    /** Where the durations of the driver's commands go (the metrics set the sink). */
    public CommandTimings timings() {
        return timings;
    }

    /**
     * A trivial round trip ({@code ping}) bounded by {@code timeout}, server selection included:
     * the readiness probe. Blocks: call it off the event loop.
     */
    public void ping(java.time.Duration timeout) {
        db.withTimeout(timeout.toMillis(), TimeUnit.MILLISECONDS).runCommand(new Document("ping", 1));
    }

    public Durability durability() {
        return durability;
    }

    public boolean isEmbedded() {
        return embedded != null;
    }

    public String description() {
        return description;
    }

    /** True once {@link #close} began: background readers stop instead of retrying. */
    public boolean isClosed() {
        return closed;
    }

    @Override
    public void close() {
        closed = true;
        durability.close();
        client.close();
        if (embedded != null) embedded.close();
    }
}

package io.drover.controller.store;

import de.bwaldvogel.mongo.MongoBackend;
import de.bwaldvogel.mongo.MongoServer;
import de.bwaldvogel.mongo.backend.h2.H2Backend;
import de.bwaldvogel.mongo.bson.Document;
import io.netty.channel.Channel;
import io.netty.channel.embedded.EmbeddedChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import org.h2.mvstore.MVStore;
import org.junit.jupiter.api.Test;

/**
 * The library's plain H2 backend against {@link CopyOnWriteH2Backend}, in alternating rounds on the
 * same JVM (not part of the suite: the name does not end in Test). Run with
 * {@code mvn -o -q test -pl controller -Dtest=StoreConcurrencyBench -Drounds=8}; lines start with
 * BENCH (the concurrent claims and reads of {@link StoreConcurrencyTest}, over the wire) and COPY
 * (the backend alone, no wire: what a read and a claim cost).
 */
class StoreConcurrencyBench {
    private static final int ROUNDS = Integer.getInteger("rounds", 5);

    @Test
    void concurrentClaimsAndReads() throws Exception {
        for (int r = 0; r < ROUNDS; r++) {
            overTheWire("plain", H2Backend::new, r);
            overTheWire("copy-on-write", CopyOnWriteH2Backend::new, r);
        }
    }

    private static void overTheWire(String name, Function<MVStore, MongoBackend> backend, int round) throws Exception {
        Path dir = Files.createTempDirectory("store-bench");
        MongoServer server = new MongoServer(backend.apply(new MVStore.Builder().fileName(dir.resolve("store.mv").toString()).open()));
        server.bind("127.0.0.1", 0);
        try {
            StoreConcurrencyTest.Result r = StoreConcurrencyTest.hammer("mongodb://127.0.0.1:" + server.getLocalAddress().getPort());
            System.out.printf("BENCH %s round %d: %s%n", name, round, r);
        } finally {
            server.shutdown();
        }
    }

    @Test
    void backendCostOfReadsAndClaims() {
        Channel client = new EmbeddedChannel();
        MongoBackend[] backends = {new H2Backend(new MVStore.Builder().open()), new CopyOnWriteH2Backend(new MVStore.Builder().open())};
        String[] names = {"plain", "copy-on-write"};
        for (MongoBackend b : backends) {
            List<Document> seed = new ArrayList<>();
            for (int i = 0; i < 200; i++) {
                Document d = new Document("_id", "t" + i).append("status", "queued");
                for (int f = 0; f < 30; f++) d.append("field" + f, "value " + f + " of task " + i);
                seed.add(d);
            }
            b.handleCommand(client, "drover", "insert", new Document("insert", "tasks").append("documents", seed));
        }
        Document findAll = new Document("find", "tasks").append("batchSize", 1000);
        Document claim = new Document("findAndModify", "tasks").append("query", new Document("_id", "t7"))
                .append("update", new Document("$inc", new Document("epoch", 1))).append("new", true);
        for (int round = 0; round < 3 * ROUNDS; round++) { // the first rounds warm up the JIT
            for (int k = 0; k < backends.length; k++) {
                long findNs = timePerCall(backends[k], client, "find", findAll);
                long claimNs = timePerCall(backends[k], client, "findAndModify", claim);
                System.out.printf("COPY %s round %d: find of 200 documents %d us (%d ns/document), findAndModify by _id %d us%n",
                        names[k], round, findNs / 1000, findNs / 200, claimNs / 1000);
            }
        }
    }

    private static long timePerCall(MongoBackend backend, Channel client, String command, Document query) {
        long t0 = System.nanoTime(), end = t0 + 1_000_000_000L, n = 0;
        while (System.nanoTime() < end) {
            backend.handleCommand(client, "drover", command, query);
            n++;
        }
        return (System.nanoTime() - t0) / n;
    }
}

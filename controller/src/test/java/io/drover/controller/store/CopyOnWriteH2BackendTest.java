package io.drover.controller.store;

import static org.assertj.core.api.Assertions.assertThat;

import de.bwaldvogel.mongo.MongoBackend;
import de.bwaldvogel.mongo.backend.h2.H2Backend;
import de.bwaldvogel.mongo.bson.Document;
import io.netty.channel.Channel;
import io.netty.channel.embedded.EmbeddedChannel;
import java.nio.file.Path;
import java.util.List;
import org.h2.mvstore.MVStore;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The embedded store's backend, driven directly (no wire): what it answers is a snapshot, never the
 * stored document that later writes change. Over the wire and under load: {@link StoreConcurrencyTest}.
 */
class CopyOnWriteH2BackendTest {
    private static final Channel CLIENT = new EmbeddedChannel();

    @TempDir
    Path tmp;

    /**
     * The mechanism, deterministically: an answer the backend has built (not yet encoded) must not
     * change when the same document is updated next.
     */
    @Test
    void anAnswerIsNotChangedByALaterUpdate() {
        MongoBackend backend = new CopyOnWriteH2Backend(new MVStore.Builder().open()); // in memory
        try {
            command(backend, "insert", new Document("insert", "tasks").append("documents",
                    List.of(new Document("_id", "t1").append("status", "queued").append("queuedSeq", 1L))));
            Document found = firstBatch(command(backend, "find",
                    new Document("find", "tasks").append("filter", new Document())));
            Document claimed = (Document) command(backend, "findAndModify",
                    new Document("findAndModify", "tasks")
                            .append("query", new Document("_id", "t1"))
                            .append("update", new Document("$set", new Document("status", "running").append("worker", "w1"))
                                    .append("$unset", new Document("queuedSeq", "")))
                            .append("new", true)).get("value");
            command(backend, "update", new Document("update", "tasks").append("updates", List.of(
                    new Document("q", new Document("_id", "t1"))
                            .append("u", new Document("$set", new Document("status", "completed"))
                                    .append("$unset", new Document("worker", "")))
                            .append("multi", true))));
            Document completed = firstBatch(command(backend, "find", new Document("find", "tasks")));
            command(backend, "findAndModify", new Document("findAndModify", "tasks")
                    .append("query", new Document("_id", "t1")).append("update", new Document("status", "archived")));

            assertThat(found).as("the find answer, after three updates").containsOnlyKeys("_id", "status", "queuedSeq")
                    .containsEntry("status", "queued");
            assertThat(claimed).as("the claim answer, after two later updates").containsOnlyKeys("_id", "status", "worker")
                    .containsEntry("status", "running");
            assertThat(completed).as("the answer after the update, after a replacement")
                    .containsOnlyKeys("_id", "status").containsEntry("status", "completed");
            assertThat(firstBatch(command(backend, "find", new Document("find", "tasks"))))
                    .as("the stored document").containsOnlyKeys("_id", "status").containsEntry("status", "archived");
        } finally {
            backend.close();
        }
    }

    /** Store files written before (by the plain H2 backend) open unchanged: the map names are the same. */
    @Test
    void opensAStoreWrittenByThePlainBackend() {
        String file = tmp.resolve("old.mv").toString();
        MongoBackend old = new H2Backend(new MVStore.Builder().fileName(file).open());
        command(old, "insert", new Document("insert", "tasks").append("documents",
                List.of(new Document("_id", "t1").append("n", 1))));
        old.close(); // commits and closes the file
        MongoBackend backend = new CopyOnWriteH2Backend(new MVStore.Builder().fileName(file).open());
        try {
            assertThat(firstBatch(command(backend, "find", new Document("find", "tasks"))))
                    .containsEntry("_id", "t1").containsEntry("n", 1);
        } finally {
            backend.close();
        }
    }

    /** Runs a command as a connection would (the channel keys its last-error status). */
    private static Document command(MongoBackend backend, String name, Document command) {
        Document reply = backend.handleCommand(CLIENT, "drover", name, command);
        assertThat(((Number) reply.get("ok")).doubleValue()).as(name + " answer " + reply).isEqualTo(1.0);
        return reply;
    }

    private static Document firstBatch(Document findReply) {
        List<?> batch = (List<?>) ((Document) findReply.get("cursor")).get("firstBatch");
        assertThat(batch).hasSize(1);
        return (Document) batch.get(0);
    }
}

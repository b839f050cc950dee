package io.drover.queue.mongo;

import com.mongodb.client.MongoCollection;
import com.mongodb.client.model.IndexOptions;
import org.bson.Document;

import static io.drover.queue.TaskFields.*;

/**
 * Indexes the queue's writes rely on. The embedded store uses an index only when a filter's key
 * set equals a unique index's key set, so each compare-and-set filter shape gets a unique index
 * that starts with {@code _id} (unique by construction). There are only two shapes, because on
 * the H2 backend every index whose keys change costs several B-tree operations per update (with
 * Java-serialized keys): claim {_id, status, queue} and fence {_id, status, epoch}; enqueue,
 * dequeue and move reuse them with values read just before. On a real MongoDB the {@code _id}
 * index already serves them; these cost a little on writes and nothing else.
 */
final class QueueIndexes {
    private QueueIndexes() {}

    static void ensure(MongoCollection<Document> tasks) {
        unique(tasks, "queue_cas_claim", new Document(ID, 1).append(STATUS, 1).append(QUEUE, 1));
        unique(tasks, "queue_cas_fence", new Document(ID, 1).append(STATUS, 1).append(EPOCH, 1));
        // Only a real MongoDB uses this one (the embedded store ignores non-unique indexes): the expiry scan.
        tasks.createIndex(new Document(STATUS, 1).append(LEASE_EXPIRES, 1), new IndexOptions().name("queue_lease_expiry"));
    }

    private static void unique(MongoCollection<Document> tasks, String name, Document keys) {
        tasks.createIndex(keys, new IndexOptions().unique(true).name(name));
    }
}

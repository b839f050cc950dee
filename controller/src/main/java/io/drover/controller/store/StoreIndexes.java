package io.drover.controller.store;

import com.mongodb.client.model.IndexOptions;
import com.mongodb.client.model.Indexes;
import org.bson.Document;

/**
 * Indexes created at start. Every lookup the controller relies on goes by {@code _id} (projects,
 * queues and workers use their name as {@code _id}; diffs the task id), so uniqueness needs no
 * extra index and is fast on both stores. The secondary indexes below keep list queries fast on
 * a real MongoDB; the embedded store ignores them (it scans), so they are only created there.
 */
public final class StoreIndexes {
    private StoreIndexes() {}

    public static void ensure(Store store) {
        if (store.isEmbedded()) return;
        var tasks = store.tasks();
        tasks.createIndex(Indexes.ascending("status"), new IndexOptions().name("status"));
        tasks.createIndex(Indexes.compoundIndex(Indexes.ascending("project"), Indexes.descending("createdAt")),
                new IndexOptions().name("project_createdAt"));
        tasks.createIndex(Indexes.ascending("tags"), new IndexOptions().name("tags"));
        tasks.createIndex(Indexes.ascending("lease.worker"), new IndexOptions().name("lease_worker"));
        store.collection(Collections.WORKERS).createIndex(new Document("lastSeen", -1), new IndexOptions().name("lastSeen"));
    }
}

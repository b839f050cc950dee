package io.drover.controller.tasks;

import com.mongodb.client.MongoCollection;
import com.mongodb.client.model.UpdateOptions;
import com.mongodb.client.model.Updates;
import io.drover.controller.store.Collections;
import io.drover.controller.store.Store;
import java.util.Date;
import org.bson.Document;

/**
 * Project and queue metadata documents ({@code _id} = name). Both are also created implicitly by
 * the first task or enqueue naming them; an upsert keyed by {@code _id} makes that race-free.
 */
public final class Catalog {
    private final MongoCollection<Document> projects;
    private final MongoCollection<Document> queues;

    public Catalog(Store store) {
        this.projects = store.collection(Collections.PROJECTS);
        this.queues = store.collection(Collections.QUEUES);
    }

    public void ensureProject(String name) {
        projects.updateOne(new Document("_id", name),
                Updates.combine(Updates.setOnInsert("createdAt", new Date()), Updates.setOnInsert("description", null)),
                new UpdateOptions().upsert(true));
    }

    public void ensureQueue(String name) {
        queues.updateOne(new Document("_id", name), Updates.setOnInsert("createdAt", new Date()), new UpdateOptions().upsert(true));
    }

    public MongoCollection<Document> projects() {
        return projects;
    }

    public MongoCollection<Document> queues() {
        return queues;
    }
}

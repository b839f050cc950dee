package io.drover.controller.artifacts;

import com.mongodb.client.MongoCollection;
import com.mongodb.client.MongoDatabase;
import com.mongodb.client.model.Projections;
import com.mongodb.client.model.Updates;
import io.drover.queue.TaskFields;
import io.drover.shared.domain.DroverException;
import java.util.ArrayList;
import java.util.List;
import org.bson.Document;

/**
 * The {@code artifacts} array of task documents: what was uploaded, with size, SHA-256 and
 * content type. Writes are fenced by the lease epoch like every agent write. Blocks on the
 * store: call it off the event loop.
 */
public final class ArtifactIndex {
    public static final String FIELD = "artifacts";
    private static final int ATTEMPTS = 20;

    private final MongoCollection<Document> tasks;

    public ArtifactIndex(MongoDatabase db) {
        this.tasks = db.getCollection(TaskFields.COLLECTION);
    }

    /** @throws DroverException not_found, or stale_lease when (taskId, epoch) is not the running lease */
    public void checkFence(String taskId, long epoch) {
        Document t = tasks.find(TaskFields.byId(taskId)).projection(Projections.include(TaskFields.STATUS, TaskFields.EPOCH)).first();
        if (t == null) throw DroverException.notFound("task", taskId);
        Object e = t.get(TaskFields.EPOCH);
        if (!"running".equals(t.getString(TaskFields.STATUS)) || !(e instanceof Number n) || n.longValue() != epoch) {
            throw DroverException.staleLease(taskId, epoch);
        }
    }

    /** Adds {@code entry}, replacing an entry of the same name, under the lease fence. */
    public void record(String taskId, long epoch, ArtifactEntry entry) {
        for (int i = 0; i < ATTEMPTS; i++) {
            if (tasks.updateOne(TaskFields.fence(taskId, epoch),
                    Updates.pull(FIELD, new Document("name", entry.name()))).getMatchedCount() == 0) {
                checkFence(taskId, epoch); // throws the precise error
            }
            // only if no concurrent upload of the same name slipped its entry in since the pull
            Document absent = new Document((Document) TaskFields.fence(taskId, epoch))
                    .append(FIELD + ".name", new Document("$ne", entry.name()));
            if (tasks.updateOne(absent, Updates.push(FIELD, entry.toDocument())).getMatchedCount() == 1) return;
        }
        throw DroverException.conflict("artifact '" + entry.name() + "' of task " + taskId
                + " is being uploaded concurrently by several requests; upload it once");
    }

    /** @throws DroverException not_found when the task does not exist */
    public List<ArtifactEntry> list(String taskId) {
        Document t = tasks.find(TaskFields.byId(taskId)).projection(Projections.include(FIELD)).first();
        if (t == null) throw DroverException.notFound("task", taskId);
        List<ArtifactEntry> out = new ArrayList<>();
        for (Object o : t.getList(FIELD, Object.class, List.of())) {
            if (o instanceof Document d) out.add(ArtifactEntry.fromDocument(d));
        }
        return out;
    }

    /** @throws DroverException not_found for an unknown task or artifact */
    public ArtifactEntry find(String taskId, String name) {
        for (ArtifactEntry e : list(taskId)) {
            if (e.name().equals(name)) return e;
        }
        throw DroverException.notFound("artifact", name + "' of task '" + taskId);
    }
}

package io.drover.controller.tasks;

import com.mongodb.client.MongoCollection;
import com.mongodb.client.model.Projections;
import io.drover.queue.TaskFields;
import io.drover.shared.domain.DroverException;
import org.bson.Document;

/**
 * Checks that an agent's write carries the current lease epoch. For writes that go elsewhere
 * than the task document (log lines, artifacts), call {@link #require} before storing; writes to
 * the task document itself use {@link TaskFields#fence} as their filter and {@link #explain} when
 * it matched nothing.
 */
public final class TaskFence {
    private TaskFence() {}

    /** @throws DroverException not_found for an unknown task, stale_lease when (taskId, epoch) is not current */
    public static Document require(MongoCollection<Document> tasks, String taskId, long epoch) {
        Document d = tasks.find(TaskFields.fence(taskId, epoch)).projection(Projections.include("_id", "status")).first();
        if (d == null) throw explain(tasks, taskId, epoch);
        return d;
    }

    /**
     * For stores with an agent route and a user route: the task must exist, and with an
     * {@code epoch} (the agent's write) run under that lease epoch.
     *
     * @throws DroverException not_found, stale_lease (409)
     */
    public static void check(MongoCollection<Document> tasks, String taskId, Long epoch) {
        if (epoch != null) {
            require(tasks, taskId, epoch);
        } else if (tasks.find(TaskFields.byId(taskId)).projection(Projections.include("_id")).first() == null) {
            throw DroverException.notFound("task", taskId);
        }
    }

    /** The error for a fenced write that matched nothing: the task is unknown, or the epoch is stale. */
    public static DroverException explain(MongoCollection<Document> tasks, String taskId, long epoch) {
        Document d = tasks.find(TaskFields.byId(taskId)).projection(Projections.include("_id")).first();
        return d == null ? DroverException.notFound("task", taskId) : DroverException.staleLease(taskId, epoch);
    }
}

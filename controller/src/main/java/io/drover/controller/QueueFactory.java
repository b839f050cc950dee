package io.drover.controller;

import com.mongodb.client.MongoCollection;
import io.drover.queue.TaskQueue;
import java.time.Clock;
import java.time.Duration;
import org.bson.Document;

/** Builds the task queue over the {@code tasks} collection; tests may pass their own. */
@FunctionalInterface
public interface QueueFactory {
    String IMPL = "io.drover.queue.MongoTaskQueue";

    TaskQueue create(MongoCollection<Document> tasks, Duration lease, Clock clock);

    /** The queue module's MongoDB implementation. */
    QueueFactory MONGO = (tasks, lease, clock) -> {
        // Looked up by name while the queue module's implementation is being written in parallel;
        // becomes a plain constructor call once it has landed.
        try {
            return (TaskQueue) Class.forName(IMPL)
                    .getConstructor(MongoCollection.class, Duration.class, Clock.class)
                    .newInstance(tasks, lease, clock);
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("queue implementation " + IMPL + " is missing or incompatible: " + e, e);
        }
    };
}

package io.drover.controller;

import com.mongodb.client.MongoDatabase;
import io.drover.queue.TaskQueue;
import io.drover.queue.mongo.MongoTaskQueue;
import java.time.Clock;
import java.time.Duration;

/** Builds the task queue over the store's {@code tasks} collection; tests may pass their own. */
@FunctionalInterface
public interface QueueFactory {

    TaskQueue create(MongoDatabase db, Duration lease, Clock clock);

    /** The queue module's MongoDB implementation (creates its indexes and loads the claim order). */
    QueueFactory MONGO = MongoTaskQueue::new;
}

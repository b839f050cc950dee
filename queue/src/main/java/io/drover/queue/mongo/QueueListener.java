package io.drover.queue.mongo;

import io.drover.queue.TaskQueue.QueueEntry;

/**
 * Told about every change this node makes to the claim order, so a cluster layer can replay it on
 * the other nodes ({@link MongoTaskQueue#observeExternalEnqueue} and {@link MongoTaskQueue#forget}).
 * Called on the thread that made the change while it holds the task's lock: keep it quick and
 * non-blocking (e.g. publish on the event bus).
 */
public interface QueueListener {
    QueueListener NONE = new QueueListener() {};

    /** The task is queued at this place now (enqueue, requeue or move). */
    default void queued(QueueEntry entry) {}

    /** The task left its queue (claimed, dequeued, forgotten). */
    default void left(String taskId) {}
}

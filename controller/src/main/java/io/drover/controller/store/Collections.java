package io.drover.controller.store;

/** Names of the collections the controller owns (the queue module owns the queue fields of {@code tasks}). */
public final class Collections {
    public static final String TASKS = io.drover.queue.TaskFields.COLLECTION;
    /** Uncommitted diffs, one per task ({@code _id} = task id): kept out of task documents, can be MBs. */
    public static final String TASK_DIFFS = "task_diffs";
    /** {@code _id} = project name. */
    public static final String PROJECTS = "projects";
    /** Queue metadata, {@code _id} = queue name (the queued tasks themselves live in {@code tasks}). */
    public static final String QUEUES = "queues";
    /** {@code _id} = worker name. */
    public static final String WORKERS = "workers";

    private Collections() {}
}

package io.drover.queue;

import com.mongodb.client.model.Filters;
import org.bson.conversions.Bson;

/**
 * Field names of the {@code tasks} collection that the queue owns. The controller owns the rest
 * of the document (name, project, params, script, captured, artifacts, …).
 *
 * <pre>
 * _id            String (24 hex)
 * status         "created" | "queued" | "running" | "completed" | "failed" | "aborted"
 * statusReason   String or null
 * queue          String, priority int, queuedSeq long (claim order within a priority), queuedAt Date
 * retries        int (default 1): how many requeues after a lost lease are allowed
 * epoch          long, never reset: incremented by every claim (the fencing token)
 * lease          { worker, expiresAt Date, tokenHash } while running, else null
 * execution      { worker, attempt int, exitCode, startedAt, finishedAt, … }
 * abortRequested { reason, at } set by the controller when a user aborts a running task
 * resources      { gpus int }: a claim hands the task only to an agent with that many GPUs free
 * updatedAt      Date
 * </pre>
 *
 * <p>Filters on a single task must have exactly the keys of one unique index, because the
 * embedded store uses an index only when the filter's key set equals the index's key set (any
 * other filter is a full scan). {@code MongoTaskQueue} creates these unique indexes:
 * {@code {_id}} (always there), {@code {_id, status, queue}} and {@code {_id, status, epoch}}
 * ({@link #fence}). So write single-task filters as a plain {@code Document} with exactly
 * those keys, never with {@code Filters.and} (it renders {@code $and}) and never with extra keys.
 */
public final class TaskFields {
    public static final String COLLECTION = "tasks";
    public static final String ID = "_id";
    public static final String STATUS = "status";
    public static final String STATUS_REASON = "statusReason";
    public static final String QUEUE = "queue";
    public static final String PRIORITY = "priority";
    public static final String QUEUED_SEQ = "queuedSeq";
    public static final String QUEUED_AT = "queuedAt";
    public static final String RETRIES = "retries";
    public static final String EPOCH = "epoch";
    public static final String LEASE = "lease";
    public static final String LEASE_WORKER = "lease.worker";
    public static final String LEASE_EXPIRES = "lease.expiresAt";
    public static final String LEASE_TOKEN_HASH = "lease.tokenHash";
    public static final String EXECUTION = "execution";
    public static final String WORKER = "execution.worker";
    public static final String ATTEMPT = "execution.attempt";
    public static final String STARTED_AT = "execution.startedAt";
    public static final String FINISHED_AT = "execution.finishedAt";
    public static final String UPDATED_AT = "updatedAt";
    /** Sub-document {@code {reason, at}}: the controller sets it on a running task that a user aborts. */
    public static final String ABORT_REQUESTED = "abortRequested";
    public static final String ABORT_REASON = "abortRequested.reason";
    /** How many GPUs the task needs (absent: 0); a claim skips tasks needing more than the agent has free. */
    public static final String GPUS = "resources.gpus";
    public static final String RESOURCES = "resources";
    /** The GPU indexes the agent ran the current attempt on; cleared by each claim. */
    public static final String EXECUTION_GPUS = "execution.gpus";
    /** Collection holding the queue's {@code queuedSeq} counter document. */
    public static final String COUNTERS_COLLECTION = "counters";

    private TaskFields() {}

    /**
     * The fencing filter every agent write must use: matches only while the task is running under
     * this epoch. Its keys are exactly those of the unique index {@code {_id, status, epoch}}
     * that the queue creates, so it is an index lookup on the embedded store too: do not add keys.
     */
    public static Bson fence(String taskId, long epoch) {
        return new org.bson.Document(ID, taskId).append(STATUS, "running").append(EPOCH, epoch);
    }

    public static Bson byId(String taskId) {
        return Filters.eq(ID, taskId);
    }
}

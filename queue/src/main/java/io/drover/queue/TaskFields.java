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
 * updatedAt      Date
 * </pre>
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

    private TaskFields() {}

    /**
     * The fencing filter every agent write must use: matches only while the task is running under
     * this epoch. Written as a plain document (not {@code Filters.and}) so that {@code _id} leads.
     */
    public static Bson fence(String taskId, long epoch) {
        return new org.bson.Document(ID, taskId).append(STATUS, "running").append(EPOCH, epoch);
    }

    public static Bson byId(String taskId) {
        return Filters.eq(ID, taskId);
    }
}

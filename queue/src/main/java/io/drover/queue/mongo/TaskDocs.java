package io.drover.queue.mongo;

import io.drover.queue.TaskQueue.QueueEntry;
import io.drover.shared.domain.TaskStatus;
import org.bson.Document;

import java.time.Instant;
import java.util.Date;

import static io.drover.queue.TaskFields.*;

/**
 * The filters and update documents of the queue's state changes, in one place so that every
 * writer of queue fields agrees on them. Single-task filters have exactly the keys of one of the
 * unique indexes in {@link QueueIndexes} (the embedded store's only way to avoid a scan).
 */
final class TaskDocs {
    static final String QUEUED = TaskStatus.QUEUED.wire();
    static final String RUNNING = TaskStatus.RUNNING.wire();
    static final String EXIT_CODE = EXECUTION + ".exitCode";

    private TaskDocs() {}

    // ---- filters --------------------------------------------------------------------------

    static Document byId(String taskId) {
        return new Document(ID, taskId);
    }

    /** Index {_id, status, epoch}: the task is still in the state (and attempt) we read. */
    static Document inState(String taskId, TaskStatus status, Object epoch) {
        return new Document(ID, taskId).append(STATUS, status.wire()).append(EPOCH, epoch);
    }

    /** Index {_id, status, queue}: the claim compare-and-set. */
    static Document claimable(String taskId, String queue) {
        return new Document(ID, taskId).append(STATUS, QUEUED).append(QUEUE, queue);
    }

    // ---- updates --------------------------------------------------------------------------

    /** A user's enqueue starts a fresh run: attempts count from zero again, old lease and abort are gone. */
    static Document enqueue(String queue, int priority, long seq, Instant now) {
        Date at = Date.from(now);
        return new Document("$set", new Document(STATUS, QUEUED)
                .append(STATUS_REASON, null)
                .append(QUEUE, queue)
                .append(PRIORITY, priority)
                .append(QUEUED_SEQ, seq)
                .append(QUEUED_AT, at)
                .append(LEASE, null)
                .append(ATTEMPT, 0)
                .append(UPDATED_AT, at))
                .append("$unset", new Document(ABORT_REQUESTED, ""));
    }

    static Document claim(String worker, Instant now, Instant expires, String tokenHash) {
        Date at = Date.from(now);
        return new Document("$set", new Document(STATUS, RUNNING)
                .append(STATUS_REASON, null)
                .append(LEASE, new Document("worker", worker)
                        .append("expiresAt", Date.from(expires))
                        .append("tokenHash", tokenHash))
                .append(WORKER, worker)
                .append(STARTED_AT, at)
                .append(UPDATED_AT, at))
                .append("$inc", new Document(EPOCH, 1L).append(ATTEMPT, 1))
                // queuedSeq only means something while queued; a new attempt has no result yet.
                .append("$unset", new Document(QUEUED_SEQ, "").append(FINISHED_AT, "").append(EXIT_CODE, "")
                        .append(EXECUTION_GPUS, ""));
    }

    static Document dequeue(Instant now) {
        return new Document("$set", new Document(STATUS, TaskStatus.CREATED.wire()).append(UPDATED_AT, Date.from(now)))
                .append("$unset", new Document(QUEUED_SEQ, "").append(QUEUED_AT, ""));
    }

    static Document move(long seq, Instant now) {
        return new Document("$set", new Document(QUEUED_SEQ, seq).append(UPDATED_AT, Date.from(now)));
    }

    /** running → queued after a lost lease or a release; the attempt count is kept. */
    static Document requeue(long seq, String reason, Instant now) {
        Date at = Date.from(now);
        return new Document("$set", new Document(STATUS, QUEUED)
                .append(STATUS_REASON, "requeued: " + reason)
                .append(QUEUED_SEQ, seq)
                .append(QUEUED_AT, at)
                .append(LEASE, null)
                .append(UPDATED_AT, at));
    }

    /** running → queued for a claim never delivered: the attempt is taken back, queuedAt kept (time in queue goes on). */
    static Document unclaim(long seq, String reason, Instant now) {
        Date at = Date.from(now);
        return new Document("$set", new Document(STATUS, QUEUED)
                .append(STATUS_REASON, "requeued: " + reason)
                .append(QUEUED_SEQ, seq)
                .append(LEASE, null)
                .append(UPDATED_AT, at))
                .append("$inc", new Document(ATTEMPT, -1))
                .append("$unset", new Document(STARTED_AT, "").append(WORKER, ""));
    }

    /** running → failed or aborted by the queue (lease lost, retries spent, or abort requested). */
    static Document finish(TaskStatus status, String reason, Instant now) {
        Date at = Date.from(now);
        return new Document("$set", new Document(STATUS, status.wire())
                .append(STATUS_REASON, reason)
                .append(LEASE, null)
                .append(FINISHED_AT, at)
                .append(UPDATED_AT, at));
    }

    static Document extendLease(Instant expires) {
        return new Document("$set", new Document(LEASE_EXPIRES, Date.from(expires)));
    }

    // ---- reading --------------------------------------------------------------------------

    static final Document STATE_FIELDS = new Document(STATUS, 1).append(EPOCH, 1).append(QUEUE, 1);

    static final Document ENTRY_FIELDS = new Document(QUEUE, 1).append(PRIORITY, 1).append(QUEUED_SEQ, 1)
            .append(QUEUED_AT, 1).append(RESOURCES, 1);

    /** The queue entry of a queued task document, or null when it names no queue. */
    static QueueEntry entry(Document doc) {
        String queue = doc.getString(QUEUE);
        if (queue == null) return null;
        Date at = doc.getDate(QUEUED_AT);
        // A queued task without a seq (written by hand or an old version) goes to the back of its priority.
        return new QueueEntry(doc.getString(ID), queue, (int) number(doc, PRIORITY, 0),
                number(doc, QUEUED_SEQ, Long.MAX_VALUE), at == null ? null : at.toInstant(), gpus(doc));
    }

    /** {@code resources.gpus}, 0 when absent or not a number (tasks from before issue 5). */
    static int gpus(Document doc) {
        Document r = doc.get(RESOURCES) instanceof Document d ? d : null;
        return r == null ? 0 : (int) Math.max(0, number(r, "gpus", 0));
    }

    static long epoch(Document doc) {
        return number(doc, EPOCH, 0);
    }

    static int attempt(Document doc) {
        Document exec = doc.get(EXECUTION, Document.class);
        return exec == null ? 0 : (int) number(exec, "attempt", 0);
    }

    static int retries(Document doc) {
        return (int) number(doc, RETRIES, 1);
    }

    static String leaseWorker(Document doc) {
        Document lease = doc.get(LEASE, Document.class);
        return lease == null ? null : lease.getString("worker");
    }

    static Date leaseExpires(Document doc) {
        Document lease = doc.get(LEASE, Document.class);
        return lease == null ? null : lease.getDate("expiresAt");
    }

    /** The abort request's reason, or null when none was requested. */
    static String abortReason(Document doc) {
        Object abort = doc.get(ABORT_REQUESTED);
        if (abort == null) return null;
        String reason = abort instanceof Document d ? d.getString("reason") : null;
        return reason == null || reason.isBlank() ? "aborted" : reason;
    }

    static TaskStatus status(Document doc) {
        return TaskStatus.parse(doc.getString(STATUS));
    }

    private static long number(Document doc, String key, long dflt) {
        Object v = doc.get(key);
        return v instanceof Number n ? n.longValue() : dflt;
    }
}

package io.drover.queue;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * The durable task queue. Queue state lives in the task document ({@link TaskFields}), so a claim
 * is one atomic compare-and-set on a single document. Implementations keep an ordered view of
 * each queue to know which {@code _id} to try next; a stale view costs a retry, never a double claim.
 *
 * <p>Every method may block on the store: call it off the event loop.
 */
public interface TaskQueue {

    /** Where an enqueued or moved task goes within its priority. */
    enum Position { TOP, BOTTOM }

    /**
     * Makes a task claimable: status → queued, with queue, priority, a fresh queuedSeq and queuedAt.
     * Allowed from created, completed, failed and aborted.
     *
     * @throws io.drover.shared.domain.DroverException not_found, or conflict naming both states
     */
    QueueEntry enqueue(String taskId, String queue, int priority, Position position);

    /**
     * Claims the first claimable task of {@code queues}: in the given order, or round-robin over
     * them when {@code fairness} (the rotation is per worker). Sets status running, increments
     * {@code epoch} and {@code execution.attempt}, writes the lease. Never blocks waiting for work.
     */
    Optional<Claim> claim(String worker, List<String> queues, boolean fairness);

    /** Completes when any of {@code queues} may have a claimable task, or after {@code max}. Never fails. */
    CompletableFuture<Void> awaitWork(List<String> queues, Duration max);

    /** Extends the lease of a running task; false when (taskId, epoch) is no longer current. */
    boolean extendLease(String taskId, long epoch);

    /** queued → created. @throws DroverException not_found / conflict */
    void dequeue(String taskId);

    /** Moves a queued task to the front or back of its priority. @throws DroverException not_found / conflict */
    void move(String taskId, Position position);

    /** Queued entries of one queue, in claim order. */
    List<QueueEntry> entries(String queue);

    /** Number of queued tasks per queue name (queues with none are absent). */
    Map<String, Long> depths();

    /**
     * Gives up a running task held under (taskId, epoch): requeued at the top of its queue while
     * {@code attempt <= retries}, else failed with {@code reason}. False when the epoch is stale.
     */
    boolean release(String taskId, long epoch, String reason);

    /** Handles every lease that expired before {@code now} like {@link #release} with reason "worker lost". */
    List<Expired> expireLeases(Instant now);

    /** Rebuilds the in-memory view from the store (at start, and after another node's changes). */
    void reload();

    /** Called when a task left the queue by another path (abort, delete), so the view drops it. */
    void forget(String taskId);

    /** Lease duration used for claims and heartbeats. */
    Duration leaseDuration();

    record QueueEntry(String taskId, String queue, int priority, long seq, Instant queuedAt) {}

    /** A successful claim: the task document after the update, with the new epoch and lease token. */
    record Claim(String taskId, String queue, long epoch, String token, Instant expiresAt,
                 org.bson.Document task) {}

    /** A lease that expired: requeued or failed. */
    record Expired(String taskId, String worker, long epoch, boolean requeued) {}
}

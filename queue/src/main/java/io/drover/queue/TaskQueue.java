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
    default Optional<Claim> claim(String worker, List<String> queues, boolean fairness) {
        return claim(worker, queues, fairness, Fit.ANY);
    }

    /**
     * Same, but only a task whose {@code resources.gpus} is within {@code fit} (the agent's free
     * GPUs): entries needing more are skipped and keep their place, so a GPU task waits at the
     * head for an agent that can run it while smaller tasks behind it are handed out.
     */
    Optional<Claim> claim(String worker, List<String> queues, boolean fairness, Fit fit);

    /** Completes when any of {@code queues} may have a claimable task, or after {@code max}. Never fails. */
    default CompletableFuture<Void> awaitWork(List<String> queues, Duration max) {
        return awaitWork(queues, Fit.ANY, max);
    }

    /** Same, counting only entries within {@code fit}, so an agent with too few GPUs is not woken by a task it cannot take. */
    CompletableFuture<Void> awaitWork(List<String> queues, Fit fit, Duration max);

    /**
     * Like {@link #awaitWork(List, Fit, Duration)}, but a new entry wakes only one such waiter (the
     * longest-waiting one it fits) instead of all of them, so k new tasks wake about k claimers.
     * The caller must call {@link WorkTurn#done()} on the result once the claim attempt it leads to
     * has ended (claimed, found nothing, failed, or was not made because the claimer left): a
     * wake-up whose task is still claimable then is handed to the next waiter. A turn completed by
     * its timeout or by work already waiting holds no wake-up; {@code done()} is then a no-op.
     * This default wakes on every signal like {@code awaitWork}.
     */
    default CompletableFuture<WorkTurn> awaitTurn(List<String> queues, Fit fit, Duration max) {
        return awaitWork(queues, fit, max).thenApply(v -> WorkTurn.NONE);
    }

    /** A wake-up from {@link #awaitTurn}: report the end of the claim attempt that followed it. */
    @FunctionalInterface
    interface WorkTurn {
        WorkTurn NONE = () -> {};

        /** The claim attempt after this wake-up has ended; passes the wake-up on if its task is still claimable. Idempotent. */
        void done();
    }

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

    /**
     * Undoes a claim whose answer never reached the worker (the controller failed after the
     * compare-and-set): the task goes back to the top of its queue and the attempt is not counted,
     * so a task without retries is not failed "worker lost" for a run that never started. Falls
     * back to {@link #release} when an abort was requested meanwhile. False when the epoch is stale.
     */
    default boolean unclaim(String taskId, long epoch, String reason) {
        return release(taskId, epoch, reason);
    }

    /** Handles every lease that expired before {@code now} like {@link #release} with reason "worker lost". */
    List<Expired> expireLeases(Instant now);

    /** Rebuilds the in-memory view from the store (at start, and after another node's changes). */
    void reload();

    /** Called when a task left the queue by another path (abort, delete), so the view drops it. */
    void forget(String taskId);

    /** Lease duration used for claims and heartbeats. */
    Duration leaseDuration();

    /** @param gpus the task's {@code resources.gpus} (0 when absent) */
    record QueueEntry(String taskId, String queue, int priority, long seq, Instant queuedAt, int gpus) {
        public QueueEntry(String taskId, String queue, int priority, long seq, Instant queuedAt) {
            this(taskId, queue, priority, seq, queuedAt, 0);
        }
    }

    /**
     * Which tasks a claimer can run: those needing between {@code minGpus} and {@code maxGpus}
     * GPUs. An agent sends its free GPU count as {@code maxGpus}, and {@code minGpus = 1} when its
     * CPU-only slots are all busy (so it takes only GPU tasks).
     */
    record Fit(int minGpus, int maxGpus) {
        public static final Fit ANY = new Fit(0, Integer.MAX_VALUE);

        public Fit {
            if (minGpus < 0 || maxGpus < minGpus) throw new IllegalArgumentException("bad GPU fit " + minGpus + ".." + maxGpus);
        }

        /** Up to {@code free} GPUs, CPU-only tasks included. */
        public static Fit upTo(int free) {
            return new Fit(0, Math.max(0, free));
        }

        public boolean admits(int gpus) {
            return gpus >= minGpus && gpus <= maxGpus;
        }

        public boolean isAny() {
            return minGpus == 0 && maxGpus == Integer.MAX_VALUE;
        }
    }

    /** A successful claim: the task document after the update, with the new epoch and lease token. */
    record Claim(String taskId, String queue, long epoch, String token, Instant expiresAt,
                 org.bson.Document task) {}

    /** A lease that expired: requeued or failed. */
    record Expired(String taskId, String worker, long epoch, boolean requeued) {}
}

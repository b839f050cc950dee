package io.drover.queue.mongo;

import io.drover.queue.TaskQueue;
import io.drover.queue.TaskQueue.QueueEntry;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListSet;

/**
 * The in-memory claim order of every queue: which {@code _id} to try next. It is only a hint —
 * the store's compare-and-set decides — so a stale entry costs one failed CAS, never a double claim.
 *
 * <p>Changes for one task are serialized by the caller (a per-task lock); {@link #pollFirst} is the
 * only lock-free mutation, so that concurrent claimers each take a different candidate instead of
 * all racing for the head.
 */
final class QueueView {
    /** Priority descending, then queuedSeq ascending (TOP seqs are negative), then id for a total order. */
    static final Comparator<QueueEntry> CLAIM_ORDER = Comparator
            .comparingInt(QueueEntry::priority).reversed()
            .thenComparingLong(QueueEntry::seq)
            .thenComparing(QueueEntry::taskId);

    private final ConcurrentHashMap<String, ConcurrentSkipListSet<QueueEntry>> byQueue = new ConcurrentHashMap<>();
    /** The current entry of each task, including one popped by a claimer whose CAS is in flight. */
    private final ConcurrentHashMap<String, QueueEntry> byId = new ConcurrentHashMap<>();

    private ConcurrentSkipListSet<QueueEntry> queue(String name) {
        return byQueue.computeIfAbsent(name, k -> new ConcurrentSkipListSet<>(CLAIM_ORDER));
    }

    /** Adds or replaces the entry of {@code e.taskId()}. */
    void put(QueueEntry e) {
        QueueEntry old = byId.put(e.taskId(), e);
        if (old != null) queue(old.queue()).remove(old);
        queue(e.queue()).add(e);
    }

    /** Removes whatever entry the task has; returns it, or null. */
    QueueEntry remove(String taskId) {
        QueueEntry old = byId.remove(taskId);
        if (old != null) queue(old.queue()).remove(old);
        return old;
    }

    /** Takes the head of a queue out of the order, so no other claimer tries it; resolve with {@link #dropStale}, {@link #remove} or {@link #restore}. */
    QueueEntry pollFirst(String queueName) {
        ConcurrentSkipListSet<QueueEntry> q = byQueue.get(queueName);
        return q == null ? null : q.pollFirst();
    }

    /** A popped entry whose CAS failed: forget it unless the task was re-entered meanwhile. */
    void dropStale(QueueEntry popped) {
        byId.remove(popped.taskId(), popped);
    }

    /** A popped entry whose CAS did not happen (store error): put it back if it is still current. */
    void restore(QueueEntry popped) {
        if (byId.get(popped.taskId()) == popped) queue(popped.queue()).add(popped);
    }

    /**
     * Takes the first entry (in claim order) that {@code fit} admits out of the order, like
     * {@link #pollFirst}; entries it skips keep their place. Removing a specific entry is atomic,
     * so two claimers never take the same one.
     */
    QueueEntry pollFirst(String queueName, TaskQueue.Fit fit) {
        if (fit.isAny()) return pollFirst(queueName);
        ConcurrentSkipListSet<QueueEntry> q = byQueue.get(queueName);
        if (q == null) return null;
        for (QueueEntry e : q) {
            if (fit.admits(e.gpus()) && q.remove(e)) return e;
        }
        return null;
    }

    /** Whether any of the queues holds an entry that {@code fit} admits (a scan when the fit is not ANY). */
    boolean hasAny(Collection<String> queueNames, TaskQueue.Fit fit) {
        if (fit.isAny()) return hasAny(queueNames);
        for (String name : queueNames) {
            ConcurrentSkipListSet<QueueEntry> q = byQueue.get(name);
            if (q == null) continue;
            for (QueueEntry e : q) if (fit.admits(e.gpus())) return true;
        }
        return false;
    }

    /** Whether {@code e} is in its queue's claim order now: not claimed, moved or removed, and not popped by a claim in flight. */
    boolean isClaimable(QueueEntry e) {
        ConcurrentSkipListSet<QueueEntry> q = byQueue.get(e.queue());
        return q != null && q.contains(e);
    }

    QueueEntry get(String taskId) {
        return byId.get(taskId);
    }

    boolean hasAny(Collection<String> queueNames) {
        for (String name : queueNames) {
            ConcurrentSkipListSet<QueueEntry> q = byQueue.get(name);
            if (q != null && !q.isEmpty()) return true;
        }
        return false;
    }

    List<QueueEntry> entries(String queueName) {
        ConcurrentSkipListSet<QueueEntry> q = byQueue.get(queueName);
        return q == null ? List.of() : List.copyOf(new ArrayList<>(q));
    }

    /** Queue name → number of entries, for non-empty queues, sorted by name (O(entries): for metrics and listings). */
    Map<String, Long> depths() {
        Map<String, Long> out = new TreeMap<>();
        byQueue.forEach((name, q) -> {
            long n = q.size();
            if (n > 0) out.put(name, n);
        });
        return Collections.unmodifiableMap(out);
    }

    /** Names of non-empty queues. */
    List<String> nonEmptyQueues() {
        List<String> out = new ArrayList<>();
        byQueue.forEach((name, q) -> {
            if (!q.isEmpty()) out.add(name);
        });
        return out;
    }
}

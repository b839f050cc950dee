package io.drover.controller.load;

import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The simulator's own record of what happened, independent of the store: every task created,
 * every claim and every completion by task id, so duplicates and losses are counted from the
 * agents' side. Thread-safe; written from the HTTP client's threads.
 */
final class Ledger {
    private final int expected;
    private final Map<String, Integer> created = new ConcurrentHashMap<>();
    private final Map<String, AtomicInteger> claims = new ConcurrentHashMap<>();
    private final Map<String, AtomicInteger> completions = new ConcurrentHashMap<>();
    private final AtomicInteger completedDistinct = new AtomicInteger();
    private final CompletableFuture<Void> allDone = new CompletableFuture<>();
    private final Samples claimLatencyNanos = new Samples();
    private final Map<Integer, Samples> queueWaitMillis = new ConcurrentHashMap<>();
    private final AtomicInteger staleLeases = new AtomicInteger();
    private final AtomicInteger retries = new AtomicInteger();
    private final AtomicInteger unansweredClaims = new AtomicInteger();
    private final AtomicLong lastCompletionNanos = new AtomicLong();
    private final ConcurrentLinkedQueue<String> errors = new ConcurrentLinkedQueue<>();
    private final AtomicInteger errorCount = new AtomicInteger();

    /** @param expected how many tasks the run creates; {@link #allDone} completes when each is completed once */
    Ledger(int expected) {
        this.expected = expected;
    }

    void created(String taskId, int priority) {
        created.put(taskId, priority);
    }

    /**
     * A successful claim: its request→response latency, and the task's time in queue (enqueue to
     * the claim's answer, both wall clock on this box).
     */
    void claimed(String taskId, long latencyNanos, int priority, long waitMillis) {
        claims.computeIfAbsent(taskId, k -> new AtomicInteger()).incrementAndGet();
        claimLatencyNanos.add(latencyNanos);
        if (waitMillis >= 0) queueWaitMillis.computeIfAbsent(priority, k -> new Samples()).add(waitMillis);
    }

    void completed(String taskId) {
        lastCompletionNanos.set(System.nanoTime());
        if (completions.computeIfAbsent(taskId, k -> new AtomicInteger()).incrementAndGet() == 1
                && completedDistinct.incrementAndGet() >= expected) {
            allDone.complete(null);
        }
    }

    /** A finish or heartbeat answered that the lease was no longer ours (should never happen here). */
    void staleLease(String taskId) {
        staleLeases.incrementAndGet();
        error("stale lease on " + taskId);
    }

    /** A request answered 429/503 or failed to connect and was sent again. */
    void retried() {
        retries.incrementAndGet();
    }

    /** Anything unexpected; the first few are kept for the report. */
    void error(String what) {
        if (errorCount.incrementAndGet() <= 20) errors.add(what);
    }

    /**
     * A claim that got no answer (connection failure) or a 5xx: the controller may have leased a
     * task to this agent without telling it. Such a task is requeued when its lease expires and runs
     * on attempt 2 — still once.
     */
    void claimUnanswered() {
        unansweredClaims.incrementAndGet();
    }

    int unansweredClaims() {
        return unansweredClaims.get();
    }

    CompletableFuture<Void> allDone() {
        return allDone;
    }

    int completedDistinct() {
        return completedDistinct.get();
    }

    int createdCount() {
        return created.size();
    }

    Set<String> createdIds() {
        return created.keySet();
    }

    /** Tasks claimed more than once, plus tasks completed more than once. */
    int duplicates() {
        int d = 0;
        for (AtomicInteger c : claims.values()) if (c.get() > 1) d++;
        for (AtomicInteger c : completions.values()) if (c.get() > 1) d++;
        return d;
    }

    /** Tasks created but never completed, plus tasks claimed that were never created (should be 0). */
    int lost() {
        int l = 0;
        for (String id : created.keySet()) if (!completions.containsKey(id)) l++;
        for (String id : claims.keySet()) if (!created.containsKey(id)) l++;
        return l;
    }

    int claimCount() {
        int n = 0;
        for (AtomicInteger c : claims.values()) n += c.get();
        return n;
    }

    Samples claimLatencyNanos() {
        return claimLatencyNanos;
    }

    /** Time in queue per priority, highest priority first. */
    Map<Integer, Samples> queueWaitMillis() {
        Map<Integer, Samples> m = new TreeMap<>(java.util.Comparator.reverseOrder());
        m.putAll(queueWaitMillis);
        return m;
    }

    int staleLeases() {
        return staleLeases.get();
    }

    int retries() {
        return retries.get();
    }

    long lastCompletionNanos() {
        return lastCompletionNanos.get();
    }

    int errorCount() {
        return errorCount.get();
    }

    java.util.List<String> firstErrors() {
        return java.util.List.copyOf(errors);
    }
}

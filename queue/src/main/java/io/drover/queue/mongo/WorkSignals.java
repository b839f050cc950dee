package io.drover.queue.mongo;

import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/**
 * Long-poll wake-ups: futures waiting for work on some queues, completed by the next signal on
 * any of them or by a timeout. One daemon timer thread serves all waiters (timeouts and
 * completions), so an enqueue never runs a waiter's continuation on its own thread.
 */
final class WorkSignals implements AutoCloseable {
    private final ScheduledExecutorService timer;
    private final ConcurrentHashMap<String, Set<CompletableFuture<Void>>> waiting = new ConcurrentHashMap<>();
    private volatile boolean closed;

    WorkSignals() {
        this.timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "drover-queue-wakeups");
            t.setDaemon(true);
            return t;
        });
    }

    /**
     * A future completed by the next {@link #signal} on one of {@code queues}, at once when
     * {@code hasWork} is already true, or after {@code max}. Never completes exceptionally.
     */
    CompletableFuture<Void> await(List<String> queues, Duration max, BooleanSupplier hasWork) {
        CompletableFuture<Void> f = new CompletableFuture<>();
        if (closed) {
            f.complete(null);
            return f;
        }
        for (String q : queues) waiting.computeIfAbsent(q, k -> ConcurrentHashMap.newKeySet()).add(f);
        f.whenComplete((v, e) -> {
            for (String q : queues) {
                Set<CompletableFuture<Void>> s = waiting.get(q);
                if (s != null) s.remove(f);
            }
        });
        // Checked after registering, so an enqueue between the check and the registration still wakes us.
        if (hasWork.getAsBoolean() || max.isZero() || max.isNegative()) {
            f.complete(null);
            return f;
        }
        try {
            ScheduledFuture<?> timeout = timer.schedule(() -> f.complete(null), max.toNanos(), TimeUnit.NANOSECONDS);
            f.whenComplete((v, e) -> timeout.cancel(false));
        } catch (RejectedExecutionException closedMeanwhile) {
            f.complete(null);
        }
        return f;
    }

    /** Wakes every waiter of {@code queue}: all of them race to claim; the losers wait again. */
    void signal(String queue) {
        Set<CompletableFuture<Void>> s = waiting.get(queue);
        if (s == null || s.isEmpty()) return;
        try {
            timer.execute(() -> s.forEach(f -> f.complete(null)));
        } catch (RejectedExecutionException closedMeanwhile) {
            s.forEach(f -> f.complete(null));
        }
    }

    @Override
    public void close() {
        closed = true;
        timer.shutdownNow();
        waiting.values().forEach(s -> s.forEach(f -> f.complete(null)));
    }
}

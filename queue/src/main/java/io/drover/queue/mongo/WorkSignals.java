package io.drover.queue.mongo;

import io.drover.queue.TaskQueue.Fit;
import io.drover.queue.TaskQueue.QueueEntry;
import io.drover.queue.TaskQueue.WorkTurn;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.Predicate;

/**
 * Long-poll wake-ups. Two kinds of waiter, each on some queues, each completed by a wake-up or
 * after its time:
 * <ul>
 *   <li><b>turns</b> ({@link #awaitTurn}): a new entry wakes <em>one</em> of them, the
 *       longest-waiting one whose fit admits it, instead of all (200 agents used to race for every
 *       task: 200 claim attempts, 199 of them for nothing). The woken waiter holds the entry's
 *       wake-up until it calls {@link WorkTurn#done()} after its claim attempt; if the entry is
 *       still claimable then (it lost a race, claimed something else, failed, or its agent hung
 *       up), the wake-up is handed to the next such waiter. So a k-entry burst wakes about k
 *       waiters, and an entry never sits while a waiter it fits sleeps: at every moment either no
 *       sleeping waiter fits it, or a woken one holds its wake-up.</li>
 *   <li><b>watchers</b> ({@link #await}): every signal on one of their queues wakes them (the
 *       {@code awaitWork} contract; they never report back, so they cannot hold a wake-up).</li>
 * </ul>
 * A signal whose entries are unknown ({@link #signalAll}) wakes everyone on the queue.
 *
 * <p>One lock guards who waits; futures are completed outside it, on one daemon timer thread
 * that also runs the timeouts, so an enqueue never runs a waiter's continuation on its own thread.
 */
final class WorkSignals implements AutoCloseable {
    /** A woken turn not done within this long passes its wake-up on by itself (a caller that never reports). */
    static final Duration HOLD_LIMIT = Duration.ofSeconds(10);

    private final ScheduledExecutorService timer;
    private final Duration holdLimit;
    /** Whether an entry is still in the claim order (not claimed, not popped by a claim in flight, not moved). */
    private final Predicate<QueueEntry> stillClaimable;
    private final Object lock = new Object();
    /** Per queue: sleeping turns in the order they started waiting (a waiter sits in each of its queues). */
    private final Map<String, LinkedHashSet<Waiter>> turns = new HashMap<>();
    /** Per queue: sleeping watchers. */
    private final Map<String, LinkedHashSet<Waiter>> watchers = new HashMap<>();
    private boolean closed;

    WorkSignals(Predicate<QueueEntry> stillClaimable) {
        this(stillClaimable, HOLD_LIMIT);
    }

    WorkSignals(Predicate<QueueEntry> stillClaimable, Duration holdLimit) {
        this.stillClaimable = stillClaimable;
        this.holdLimit = holdLimit;
        this.timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "drover-queue-wakeups");
            t.setDaemon(true);
            return t;
        });
    }

    /**
     * A watcher: completed by the next signal on one of {@code queues} that {@code fit} admits, at
     * once when {@code hasWork} is already true, or after {@code max}. Never completes exceptionally.
     */
    CompletableFuture<Void> await(List<String> queues, Fit fit, Duration max, BooleanSupplier hasWork) {
        return register(new Waiter(queues, fit, false), max, hasWork).thenApply(t -> null);
    }

    /**
     * A turn: completed by a wake-up handed to it (one per new entry that {@code fit} admits), at
     * once when {@code hasWork} is already true, or after {@code max}. Call {@link WorkTurn#done()}
     * on the result after the claim attempt it leads to. Never completes exceptionally.
     */
    CompletableFuture<WorkTurn> awaitTurn(List<String> queues, Fit fit, Duration max, BooleanSupplier hasWork) {
        return register(new Waiter(queues, fit, true), max, hasWork);
    }

    private CompletableFuture<WorkTurn> register(Waiter w, Duration max, BooleanSupplier hasWork) {
        synchronized (lock) {
            if (!closed) {
                Map<String, LinkedHashSet<Waiter>> by = w.turn ? turns : watchers;
                for (String q : w.queues) by.computeIfAbsent(q, k -> new LinkedHashSet<>()).add(w);
                w.sleeping = true;
            }
        }
        if (!w.sleeping) { // closed
            w.woken.complete(w);
            return w.woken;
        }
        // Checked after registering: an entry put into the view before this check is seen here, one
        // put after it signals us (or another waiter it fits) — nothing falls in between.
        if (max.isZero() || max.isNegative() || hasWork.getAsBoolean()) {
            wakeUnlessWoken(w);
            return w.woken;
        }
        try {
            ScheduledFuture<?> t = timer.schedule(() -> wakeUnlessWoken(w), max.toNanos(), TimeUnit.NANOSECONDS);
            synchronized (lock) {
                if (w.sleeping) w.timeout = t;
                else t.cancel(false);
            }
        } catch (RejectedExecutionException closedMeanwhile) {
            wakeUnlessWoken(w);
        }
        return w.woken;
    }

    /**
     * {@code entry} became claimable: wakes the longest-waiting turn that it fits (handing it the
     * entry's wake-up) and every watcher of its queue that it fits.
     */
    void signal(QueueEntry entry) {
        List<Waiter> woken = new ArrayList<>();
        synchronized (lock) {
            LinkedHashSet<Waiter> ws = watchers.get(entry.queue());
            if (ws != null) {
                for (Waiter w : List.copyOf(ws)) if (w.fit.admits(entry.gpus())) woken.add(take(w, null));
            }
            Waiter t = firstTurnFor(entry);
            if (t != null) woken.add(take(t, entry));
        }
        complete(woken);
    }

    /** Wakes every waiter of {@code queue}, turns and watchers, without handing any a wake-up: for signals that do not know which entries. */
    void signalAll(String queue) {
        List<Waiter> woken = new ArrayList<>();
        synchronized (lock) {
            for (Map<String, LinkedHashSet<Waiter>> by : List.of(turns, watchers)) {
                LinkedHashSet<Waiter> ws = by.get(queue);
                if (ws != null) for (Waiter w : List.copyOf(ws)) woken.add(take(w, null));
            }
        }
        complete(woken);
    }

    /** How many turns sleep on {@code queue} now (for tests). */
    int sleepingTurns(String queue) {
        synchronized (lock) {
            LinkedHashSet<Waiter> ws = turns.get(queue);
            return ws == null ? 0 : ws.size();
        }
    }

    @Override
    public void close() {
        List<Waiter> all = new ArrayList<>();
        synchronized (lock) {
            closed = true;
            for (Map<String, LinkedHashSet<Waiter>> by : List.of(turns, watchers)) {
                for (LinkedHashSet<Waiter> ws : List.copyOf(by.values())) {
                    for (Waiter w : List.copyOf(ws)) if (w.sleeping) all.add(take(w, null));
                }
            }
        }
        timer.shutdownNow();
        all.forEach(w -> w.woken.complete(w));
    }

    // ---- internals (callers hold the lock where marked) ----------------------------------

    /** Under the lock: the first sleeping turn of the entry's queue that its fit admits. */
    private Waiter firstTurnFor(QueueEntry entry) {
        LinkedHashSet<Waiter> ts = turns.get(entry.queue());
        if (ts == null) return null;
        for (Waiter w : ts) if (w.fit.admits(entry.gpus())) return w;
        return null;
    }

    /** Under the lock: takes a sleeping waiter out of every queue it waits on; {@code baton} is the entry it is woken for, or null. */
    private Waiter take(Waiter w, QueueEntry baton) {
        Map<String, LinkedHashSet<Waiter>> by = w.turn ? turns : watchers;
        for (String q : w.queues) {
            LinkedHashSet<Waiter> ws = by.get(q);
            if (ws != null) {
                ws.remove(w);
                if (ws.isEmpty()) by.remove(q);
            }
        }
        w.sleeping = false;
        w.baton = baton;
        if (w.timeout != null) w.timeout.cancel(false);
        return w;
    }

    /** Timeout, work already there, or closed: wakes {@code w} without a wake-up to pass on, unless a signal got it first. */
    private void wakeUnlessWoken(Waiter w) {
        synchronized (lock) {
            if (!w.sleeping) return;
            take(w, null);
        }
        w.woken.complete(w);
    }

    /** Completes the futures on the timer thread (not the signalling thread); a turn holding a wake-up gets a hold limit. */
    private void complete(List<Waiter> woken) {
        if (woken.isEmpty()) return;
        try {
            timer.execute(() -> woken.forEach(w -> {
                w.armHoldTimer();
                w.woken.complete(w);
            }));
        } catch (RejectedExecutionException closedMeanwhile) {
            woken.forEach(w -> w.woken.complete(w));
        }
    }

    /** A woken turn is done with its claim attempt: its wake-up goes on to the next fitting turn if its entry is still claimable. */
    private void passOn(Waiter from) {
        QueueEntry entry;
        synchronized (lock) {
            entry = from.baton;
            from.baton = null;
            if (from.holdTimer != null) from.holdTimer.cancel(false);
            if (entry == null || closed) return;
        }
        // Checked outside the lock (the view has its own); an entry taken meanwhile costs the next
        // waiter one empty claim, after which it is dropped — it is not passed round forever.
        if (!stillClaimable.test(entry)) return;
        Waiter next;
        synchronized (lock) {
            next = firstTurnFor(entry);
            if (next != null) take(next, entry);
        }
        if (next != null) complete(List.of(next));
    }

    /** One call of {@link #await} or {@link #awaitTurn}. Fields other than the finals are guarded by the lock. */
    private final class Waiter implements WorkTurn {
        final List<String> queues;
        final Fit fit;
        final boolean turn;
        final CompletableFuture<WorkTurn> woken = new CompletableFuture<>();
        boolean sleeping;
        QueueEntry baton;
        ScheduledFuture<?> timeout;
        ScheduledFuture<?> holdTimer;

        Waiter(List<String> queues, Fit fit, boolean turn) {
            this.queues = queues;
            this.fit = fit;
            this.turn = turn;
        }

        /** Runs on the timer thread: a turn still holding a wake-up passes it on by itself after the hold limit. */
        void armHoldTimer() {
            synchronized (lock) {
                if (baton != null) holdTimer = timer.schedule(this::done, holdLimit.toNanos(), TimeUnit.NANOSECONDS);
            }
        }

        @Override
        public void done() {
            passOn(this);
        }
    }
}

package io.drover.controller.logs;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Wakes log long-polls of one task when lines are appended or the task finishes — an in-JVM
 * notification, so a follower sees a line within milliseconds without a polling sleep.
 * (Across controllers, a cluster node must relay appends here from the event bus.)
 *
 * <p>Register before reading the store, then wait: an append between the read and the wait still
 * wakes the waiter, so no line is missed until the timeout.
 */
public final class LogWaiters {
    private final ConcurrentHashMap<String, Set<Waiter>> byTask = new ConcurrentHashMap<>();

    /** One pending long-poll. Create it on the event loop of the request. */
    public final class Waiter {
        private final String taskId;
        private final Context context;
        private final Promise<Void> woken = Promise.promise();

        private Waiter(String taskId, Context context) {
            this.taskId = taskId;
            this.context = context;
        }

        /** Completes on the first wake-up or after {@code max}; never fails. Deregisters itself. */
        public Future<Void> await(Vertx vertx, Duration max) {
            long timer = vertx.setTimer(Math.max(1, max.toMillis()), t -> fire());
            return woken.future().onComplete(r -> {
                vertx.cancelTimer(timer);
                cancel();
            });
        }

        /** Stops waiting (the client went away, or the first read already had lines). */
        public void cancel() {
            byTask.computeIfPresent(taskId, (k, set) -> {
                set.remove(this);
                return set.isEmpty() ? null : set;
            });
        }

        private void fire() {
            context.runOnContext(v -> woken.tryComplete());
        }
    }

    /** Registers a waiter on the current Vert.x context. */
    public Waiter register(String taskId) {
        Context ctx = Vertx.currentContext();
        if (ctx == null) throw new IllegalStateException("register a log waiter on a Vert.x context");
        Waiter w = new Waiter(taskId, ctx);
        byTask.compute(taskId, (k, set) -> {
            Set<Waiter> s = set == null ? new HashSet<>() : set;
            s.add(w);
            return s;
        });
        return w;
    }

    /** Wakes every waiter of the task (lines appended, or the task finished). Any thread. */
    public void wake(String taskId) {
        Set<Waiter> set = byTask.remove(taskId);
        if (set != null) set.forEach(Waiter::fire);
    }

    /** How many long-polls wait on the task (tests, diagnostics). */
    public int waiting(String taskId) {
        Set<Waiter> s = byTask.get(taskId);
        return s == null ? 0 : s.size();
    }
}

package io.drover.controller.tasks;

import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * In-process notifications of task life-cycle events, for metrics and live streams (log
 * long-polls waiting for a task to finish). Listeners run on the thread that made the change
 * (a store-pool thread): keep them short and non-blocking.
 *
 * <p>With clustered controllers, the cluster bridge replays other nodes' events through
 * {@link #remote()} (on an event-loop thread), so the task list, live streams and log long-polls of
 * every node see changes made on any node. Listeners that count what this node did (metrics) or
 * that forward this node's events to the others declare {@link Listener#localOnly()}: they never
 * see remote events, so nothing is counted twice and nothing echoes.
 */
public final class TaskEvents {
    private static final Logger log = LoggerFactory.getLogger(TaskEvents.class);

    /** Implement the events you need. */
    public interface Listener {
        /** True: told only of this node's own events, never of other cluster nodes' replayed ones (metrics). */
        default boolean localOnly() {
            return false;
        }

        /**
         * The cluster bridge sent ({@code direction} "sent") or received ("received") one event-bus
         * message of this kind (queue, task, control, worker). Always local.
         */
        default void eventBus(String direction, String kind) {}

        /** A task was enqueued (created queued, enqueued, cloned with enqueue). */
        default void enqueued(String taskId, String queue) {}

        /** An agent claimed a task; {@code queuedAt} may be null for old documents. */
        default void claimed(String taskId, String queue, String worker, Instant queuedAt, Instant claimedAt) {}

        /** A claim that found a task took {@code took} in the store (compare-and-set included). */
        default void claimTook(java.time.Duration took) {}

        /** A task reached a final status (completed, failed, aborted), by any path. */
        default void finished(String taskId, String status) {}

        /**
         * Something in the task document changed (status, annotations, metrics, fields): listeners
         * re-read it if they keep a copy (the listing index) or tell live clients.
         */
        default void changed(String taskId) {}

        /** New console lines were stored; {@code next} is the sequence to read from ({@code after=}). */
        default void logs(String taskId, long next) {}

        /** Scalar points were stored for these series names ({@code metric/variant}). */
        default void scalars(String taskId, Collection<String> series) {}

        /** A report was stored: {@code kind} is {@code plot}, {@code text} or {@code image}. */
        default void report(String taskId, String kind) {}

        /** A lease expired (its worker stopped heartbeating): the task was requeued, or failed "worker lost". */
        default void leaseExpired(String taskId, String worker, boolean requeued) {}
    }

    private final List<Listener> listeners;
    /** True for the view returned by {@link #remote()}: skips local-only listeners. */
    private final boolean remote;
    private final TaskEvents remoteView;

    public TaskEvents() {
        this.listeners = new CopyOnWriteArrayList<>();
        this.remote = false;
        this.remoteView = new TaskEvents(this);
    }

    private TaskEvents(TaskEvents local) {
        this.listeners = local.listeners;
        this.remote = true;
        this.remoteView = this;
    }

    public void add(Listener l) {
        listeners.add(l);
    }

    /**
     * The same listeners, for replaying another cluster node's events: listeners that are
     * {@link Listener#localOnly()} are skipped.
     */
    public TaskEvents remote() {
        return remoteView;
    }

    /** Whether this is the {@link #remote()} view. */
    public boolean isRemote() {
        return remote;
    }

    /** Counts one cluster event-bus message (see {@link Listener#eventBus}). */
    public void eventBus(String direction, String kind) {
        for (Listener l : listeners) {
            try {
                l.eventBus(direction, kind);
            } catch (RuntimeException e) {
                log.warn("task event listener {} failed", l, e);
            }
        }
    }

    public void enqueued(String taskId, String queue) {
        each(l -> l.enqueued(taskId, queue));
    }

    public void claimed(String taskId, String queue, String worker, Instant queuedAt, Instant claimedAt) {
        each(l -> l.claimed(taskId, queue, worker, queuedAt, claimedAt));
    }

    public void claimTook(java.time.Duration took) {
        each(l -> l.claimTook(took));
    }

    public void finished(String taskId, String status) {
        each(l -> l.finished(taskId, status));
    }

    public void changed(String taskId) {
        each(l -> l.changed(taskId));
    }

    public void logs(String taskId, long next) {
        each(l -> l.logs(taskId, next));
    }

    public void scalars(String taskId, Collection<String> series) {
        each(l -> l.scalars(taskId, series));
    }

    public void report(String taskId, String kind) {
        each(l -> l.report(taskId, kind));
    }

    public void leaseExpired(String taskId, String worker, boolean requeued) {
        each(l -> l.leaseExpired(taskId, worker, requeued));
    }

    private void each(java.util.function.Consumer<Listener> c) {
        for (Listener l : listeners) {
            if (remote && l.localOnly()) continue;
            try {
                c.accept(l);
            } catch (RuntimeException e) {
                log.warn("task event listener {} failed", l, e);
            }
        }
    }
}

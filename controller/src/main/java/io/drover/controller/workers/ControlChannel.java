package io.drover.controller.workers;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.BiConsumer;
import java.util.function.Consumer;

/**
 * Pushes control messages (aborts) to the agents' control long-polls in this JVM, keyed by worker
 * name. A message is delivered to a waiting poll at once; if none is waiting, the next poll finds
 * it in the store ({@code abortRequested} on the task). Remembers what was delivered so a poll
 * does not return the same abort again and again while the agent is killing the process.
 * With clustered controllers an abort for a worker whose poll waits on another node goes there
 * over the event bus: {@link #elsewhere} forwards what no local poll took, and the other nodes'
 * bridges call {@link #pushHere}.
 */
public final class ControlChannel {

    /** One abort request for a task the worker holds under {@code epoch}. */
    public record Abort(String taskId, long epoch, String reason) {}

    private final Map<String, List<Consumer<List<Abort>>>> waiters = new HashMap<>();
    private final Set<String> delivered = new HashSet<>();
    private volatile BiConsumer<String, Abort> elsewhere = (worker, abort) -> {};

    /** Where an abort goes when no poll of the worker waits on this node (the cluster bridge; default: nowhere). */
    public void elsewhere(BiConsumer<String, Abort> forward) {
        this.elsewhere = forward == null ? (worker, abort) -> {} : forward;
    }

    /** Registers a waiting poll; returns a handle that removes it. */
    public synchronized Runnable await(String worker, Consumer<List<Abort>> onAbort) {
        waiters.computeIfAbsent(worker, w -> new ArrayList<>()).add(onAbort);
        return () -> remove(worker, onAbort);
    }

    private synchronized void remove(String worker, Consumer<List<Abort>> c) {
        List<Consumer<List<Abort>>> l = waiters.get(worker);
        if (l != null) {
            l.remove(c);
            if (l.isEmpty()) waiters.remove(worker);
        }
    }

    /**
     * Sends an abort to the worker's waiting polls (all of them); false when none was waiting on
     * this node, in which case it is forwarded {@link #elsewhere} (other cluster nodes).
     */
    public boolean push(String worker, Abort abort) {
        if (pushHere(worker, abort)) return true;
        elsewhere.accept(worker, abort);
        return false;
    }

    /** Sends an abort to the worker's polls waiting on this node only; false when none was waiting. */
    public boolean pushHere(String worker, Abort abort) {
        List<Consumer<List<Abort>>> targets;
        synchronized (this) {
            targets = waiters.remove(worker);
            if (targets == null || targets.isEmpty()) return false;
            delivered.add(key(abort));
        }
        targets.forEach(t -> t.accept(List.of(abort)));
        return true;
    }

    /** Keeps only aborts not yet delivered by a poll, and marks them delivered. */
    public synchronized List<Abort> undelivered(List<Abort> pending) {
        List<Abort> out = new ArrayList<>();
        for (Abort a : pending) {
            if (delivered.add(key(a))) out.add(a);
        }
        return out;
    }

    /** The task finished or moved on: forget its delivery marks. */
    public synchronized void forget(String taskId) {
        delivered.removeIf(k -> k.startsWith(taskId + "/"));
    }

    private static String key(Abort a) {
        return a.taskId() + "/" + a.epoch();
    }
}

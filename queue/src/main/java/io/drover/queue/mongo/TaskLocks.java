package io.drover.queue.mongo;

import java.util.concurrent.locks.ReentrantLock;

/**
 * Striped locks by task id: a state change of one task (its store CAS and the matching view
 * update) is applied as one step on this node, so the view never keeps an entry that a later
 * change of the same task removed. Different tasks rarely share a stripe.
 */
final class TaskLocks {
    private final ReentrantLock[] stripes;

    TaskLocks(int count) {
        stripes = new ReentrantLock[count];
        for (int i = 0; i < count; i++) stripes[i] = new ReentrantLock();
    }

    ReentrantLock of(String taskId) {
        return stripes[Math.floorMod(taskId.hashCode() * 0x9E3779B9, stripes.length)];
    }
}

package io.drover.agent.daemon;

import io.drover.agent.workspace.SlotWorkspace;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Where one task runs at a time: its own working trees and the task it holds. An agent has as many
 * as tasks it can run at once ({@link SlotPool}); the task's GPUs are on its {@link TaskRun}.
 */
final class Slot {
    final int index;
    final SlotWorkspace workspace;
    private final AtomicReference<TaskRun> current = new AtomicReference<>();

    Slot(int index, SlotWorkspace workspace) {
        this.index = index;
        this.workspace = workspace;
    }

    TaskRun current() {
        return current.get();
    }

    boolean isFree() {
        return current.get() == null;
    }

    void hold(TaskRun run) {
        if (!current.compareAndSet(null, run)) throw new IllegalStateException("slot " + index + " is busy");
    }

    void clear(TaskRun run) {
        current.compareAndSet(run, null);
    }
}

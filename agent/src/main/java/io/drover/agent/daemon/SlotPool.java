package io.drover.agent.daemon;

import io.drover.agent.workspace.RepoCache;
import io.drover.agent.workspace.SlotWorkspace;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The agent's slots: one working tree each ({@code slots/<n>}), as many as tasks can run at once
 * ({@link Capacity#maxTasks}). A claimed task takes the lowest free slot, so a one-at-a-time agent
 * always reuses {@code slots/0} (and its checked-out tree).
 */
final class SlotPool {
    private final List<Slot> slots = new ArrayList<>();

    SlotPool(int size, RepoCache repos, Path slotsDir) {
        for (int i = 0; i < size; i++) slots.add(new Slot(i, new SlotWorkspace(repos, slotsDir.resolve(Integer.toString(i)))));
    }

    int size() {
        return slots.size();
    }

    /** A free slot; the capacity check before the claim guarantees one. */
    synchronized Slot take(TaskRun run) {
        for (Slot s : slots) {
            if (s.isFree()) {
                s.hold(run);
                return s;
            }
        }
        throw new IllegalStateException("no free slot for task " + run.taskId + ": capacity and slots disagree");
    }

    synchronized void give(Slot s, TaskRun run) {
        s.clear(run);
    }

    /** Every task held now. */
    synchronized List<TaskRun> running() {
        List<TaskRun> out = new ArrayList<>();
        for (Slot s : slots) {
            TaskRun r = s.current();
            if (r != null) out.add(r);
        }
        return out;
    }
}

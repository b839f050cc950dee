package io.drover.agent.daemon;

/** A task-level failure with the reason to record on the task (shown to the user). */
final class TaskFailed extends Exception {
    TaskFailed(String reason) {
        super(reason);
    }
}

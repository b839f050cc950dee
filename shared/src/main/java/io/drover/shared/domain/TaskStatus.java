package io.drover.shared.domain;

import java.util.EnumSet;
import java.util.Locale;
import java.util.Set;

/**
 * Lifecycle of a task. The transition table lives here so that the controller, the queue and
 * the clients agree on it; an illegal transition is refused (HTTP 409) with a message naming
 * both states.
 */
public enum TaskStatus {
    CREATED, QUEUED, RUNNING, COMPLETED, FAILED, ABORTED;

    /** States a task may move to from this one. */
    public Set<TaskStatus> next() {
        return switch (this) {
            // created → queued (enqueue), aborted (user cancels a draft)
            case CREATED -> EnumSet.of(QUEUED, ABORTED);
            // queued → running (claim), created (dequeue), aborted (abort before it starts)
            case QUEUED -> EnumSet.of(RUNNING, CREATED, ABORTED);
            // running → queued is a requeue after a lost lease or an agent shutdown
            case RUNNING -> EnumSet.of(COMPLETED, FAILED, ABORTED, QUEUED);
            // finished tasks can be re-enqueued as they are (ClearML "reset + enqueue")
            case COMPLETED, FAILED, ABORTED -> EnumSet.of(QUEUED, CREATED);
        };
    }

    public boolean canMoveTo(TaskStatus target) {
        return next().contains(target);
    }

    public boolean isFinal() {
        return this == COMPLETED || this == FAILED || this == ABORTED;
    }

    /** Lower-case wire name, as in the API and the CLI. */
    public String wire() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** Parses a wire name; throws {@link IllegalArgumentException} naming the valid values. */
    public static TaskStatus parse(String s) {
        if (s != null) {
            for (TaskStatus t : values()) {
                if (t.wire().equalsIgnoreCase(s.trim())) return t;
            }
        }
        throw new IllegalArgumentException("unknown task status '" + s
                + "'; expected one of created, queued, running, completed, failed, aborted");
    }

    /** The message used when {@code from → to} is refused. */
    public static String illegalTransition(TaskStatus from, TaskStatus to) {
        return "cannot move task from '" + from.wire() + "' to '" + to.wire() + "'";
    }

    @Override
    public String toString() {
        return wire();
    }
}

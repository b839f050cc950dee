package io.drover.agent.workspace;

/** The task's code cannot be prepared; the message is the task's failure reason, naming the cause. */
public final class WorkspaceException extends Exception {
    public WorkspaceException(String message) {
        super(message);
    }

    public WorkspaceException(String message, Throwable cause) {
        super(message, cause);
    }
}

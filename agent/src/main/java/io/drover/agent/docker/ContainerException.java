package io.drover.agent.docker;

/** Docker could not do what the task needs; the message says what was wrong and what to do (the task's failure reason). */
public final class ContainerException extends Exception {
    public ContainerException(String message) {
        super(message);
    }

    public ContainerException(String message, Throwable cause) {
        super(message, cause);
    }
}

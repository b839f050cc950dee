package io.drover.agent.env;

/** An environment could not be built; the message is the task's failure reason. */
public final class EnvBuildException extends Exception {
    public EnvBuildException(String message) {
        super(message);
    }

    public EnvBuildException(String message, Throwable cause) {
        super(message, cause);
    }
}

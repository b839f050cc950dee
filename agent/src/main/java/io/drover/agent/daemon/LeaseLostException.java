package io.drover.agent.daemon;

/** The controller says this agent no longer holds the task (409): stop it and write nothing more. */
final class LeaseLostException extends RuntimeException {
    LeaseLostException(String message) {
        super(message);
    }
}

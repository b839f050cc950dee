package io.drover.agent.capture;

import java.util.List;

/** Where batches of lines go ({@code POST /tasks/{id}/logs}); a batch number makes a retry idempotent. */
@FunctionalInterface
public interface LogSink {
    /**
     * Delivers one batch. Throws to ask for a retry of the same batch (same number, same lines);
     * throws {@link LeaseLost} when the task no longer belongs to this agent (stop shipping).
     */
    void send(long batch, List<LogLine> lines) throws Exception;

    /** The controller refused the write because the lease moved on. */
    final class LeaseLost extends RuntimeException {
        public LeaseLost(String message) {
            super(message);
        }
    }
}

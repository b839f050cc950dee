package io.drover.agent.launch;

import java.io.InputStream;
import java.time.Duration;

/**
 * A started task, however it runs (a supervised process, a container): its output streams,
 * stop/kill, and its result. The runner and the abort path only see this.
 */
public interface TaskProcess {
    InputStream stdout();

    InputStream stderr();

    boolean isAlive();

    /** Asks the task to stop: SIGTERM, then SIGKILL after the grace period. Returns at once. */
    void stop();

    /** Ends the task at once (used when the agent must not wait). */
    void kill();

    /** Waits for the end and returns how the task ended. */
    RunResult waitFor() throws InterruptedException;

    /** Waits up to {@code timeout}; true when the task has ended. */
    boolean waitFor(Duration timeout) throws InterruptedException;
}

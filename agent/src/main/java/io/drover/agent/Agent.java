package io.drover.agent;

import io.drover.agent.daemon.WorkerDaemon;
import java.time.Duration;

/**
 * A running agent, for the {@code drover agent} command and for tests:
 * {@code Agent a = Agent.start(cfg); … a.stop(); a.awaitStopped(…)}.
 */
public final class Agent implements AutoCloseable {
    private final AgentConfig config;
    private final WorkerDaemon daemon;

    private Agent(AgentConfig config, io.drover.agent.daemon.ParallelConfig parallel) {
        this.config = config;
        this.daemon = new WorkerDaemon(config, parallel);
    }

    /** Starts the agent's threads and returns at once; it registers (retrying) in the background. */
    public static Agent start(AgentConfig config) {
        return start(config, io.drover.agent.daemon.ParallelConfig.defaults());
    }

    /**
     * Same, running several tasks at once and handing out GPUs as {@code parallel} says.
     *
     * @throws IllegalArgumentException when {@code --gpus} names GPUs this machine does not have
     */
    public static Agent start(AgentConfig config, io.drover.agent.daemon.ParallelConfig parallel) {
        Agent a = new Agent(config, parallel);
        a.daemon.start();
        return a;
    }

    public AgentConfig config() {
        return config;
    }

    public String name() {
        return config.name();
    }

    /** True once the controller accepted the registration. */
    public boolean awaitRegistered(Duration timeout) throws InterruptedException {
        return daemon.awaitRegistered(timeout);
    }

    public int runningTasks() {
        return daemon.runningTasks();
    }

    /** Stops as configured ({@code drainOnStop}); returns at once, see {@link #awaitStopped}. */
    public void stop() {
        daemon.stop(config.drainOnStop());
    }

    /** Stops claiming; {@code drain}: let the running task finish, else abort and requeue it. */
    public void stop(boolean drain) {
        daemon.stop(drain);
    }

    public boolean awaitStopped(Duration timeout) throws InterruptedException {
        return daemon.awaitStopped(timeout);
    }

    /** Stops without draining and waits for the running task to be handed back. */
    @Override
    public void close() throws InterruptedException {
        stop(false);
        awaitStopped(config.grace().plusSeconds(30));
    }
}

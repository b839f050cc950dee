package io.drover.agent.env;

import java.util.function.Consumer;

/**
 * One task's use of an environment. A task stopped during a long build gives up waiting while the
 * build runs on (a finished environment is still worth caching): whichever of {@link #prepare}
 * and {@link #close} comes last releases the use, so an abandoned build never pins its
 * environment against eviction.
 */
public final class EnvironmentHandle implements AutoCloseable {
    private final Environments envs;
    private Environment env;
    private boolean closed;

    EnvironmentHandle(Environments envs) {
        this.envs = envs;
    }

    public Environment prepare(EnvironmentRequest req, Consumer<String> log) throws EnvBuildException, InterruptedException {
        Environment e = envs.prepare(req, log);
        synchronized (this) {
            if (!closed) {
                env = e;
                return e;
            }
        }
        envs.release(e);
        return e;
    }

    @Override
    public void close() {
        Environment e;
        synchronized (this) {
            if (closed) return;
            closed = true;
            e = env;
            env = null;
        }
        if (e != null) envs.release(e);
    }
}

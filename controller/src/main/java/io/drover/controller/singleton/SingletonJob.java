package io.drover.controller.singleton;

import io.vertx.core.Vertx;
import io.vertx.core.WorkerExecutor;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A periodic job that runs on one node of the cluster only: every {@code periodMs} it runs
 * {@code body} on the blocking pool if, right then, this node holds the job's lease
 * ({@link SingletonElector#isLeader}). A run still going when the next tick comes is not doubled.
 */
public final class SingletonJob implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(SingletonJob.class);

    /** One run; {@code epoch} is this node's term (a fencing token for the job's writes). */
    @FunctionalInterface
    public interface Body {
        void run(long epoch) throws Exception;
    }

    private final Vertx vertx;
    private final WorkerExecutor pool;
    private final SingletonElector elector;
    private final Body body;
    private final long timerId;
    private final AtomicBoolean running = new AtomicBoolean();
    private int failuresInARow; // event loop only

    private SingletonJob(Vertx vertx, WorkerExecutor pool, SingletonElector elector, long periodMs, Body body) {
        this.vertx = vertx;
        this.pool = pool;
        this.elector = elector;
        this.body = body;
        this.timerId = vertx.setPeriodic(periodMs, id -> tick());
    }

    public static SingletonJob start(Vertx vertx, WorkerExecutor pool, SingletonElector elector, long periodMs, Body body) {
        return new SingletonJob(vertx, pool, elector, periodMs, body);
    }

    private void tick() {
        if (!elector.isLeader() || !running.compareAndSet(false, true)) return;
        pool.executeBlocking(() -> {
            long epoch = elector.epoch(); // again, on the worker thread: the tick may have waited for it
            if (epoch > 0) body.run(epoch);
            return null;
        }, false).onComplete(r -> {
            running.set(false);
            if (r.succeeded()) {
                failuresInARow = 0;
            } else if (failuresInARow++ == 0) {
                log.warn("singleton job {} failed; retrying at every tick", elector.job(), r.cause());
            } else {
                // e.g. the store is down: one stack trace per outage is enough
                log.debug("singleton job {} failed again ({} in a row): {}", elector.job(), failuresInARow, r.cause().toString());
            }
        });
    }

    public SingletonElector elector() {
        return elector;
    }

    /** Stops the ticks; the elector is the caller's to close. */
    @Override
    public void close() {
        vertx.cancelTimer(timerId);
    }
}

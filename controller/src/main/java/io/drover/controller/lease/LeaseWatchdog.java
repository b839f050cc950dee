package io.drover.controller.lease;

import io.drover.controller.Services;
import com.mongodb.client.model.Projections;
import io.drover.queue.TaskFields;
import io.drover.queue.TaskQueue;
import org.bson.Document;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Requeues (or fails, with "worker lost") tasks whose lease expired because their agent stopped
 * heartbeating. Runs every lease/3 (at least every second) on the store pool; a run that is
 * still going when the next tick comes is not doubled.
 */
public final class LeaseWatchdog implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(LeaseWatchdog.class);

    private final Services services;
    private final long timerId;
    private final AtomicBoolean running = new AtomicBoolean();

    private LeaseWatchdog(Services services, long periodMs) {
        this.services = services;
        this.timerId = services.vertx().setPeriodic(periodMs, id -> tick());
    }

    public static LeaseWatchdog start(Services services) {
        long period = Math.max(1000, services.config().lease().toMillis() / 3);
        return new LeaseWatchdog(services, period);
    }

    private void tick() {
        if (!running.compareAndSet(false, true)) return;
        services.storePool().executeBlocking(this::expireNow, false)
                .onComplete(r -> {
                    running.set(false);
                    if (r.failed()) log.warn("lease watchdog run failed; retrying at the next tick", r.cause());
                });
    }

    /** Handles expired leases now; returns what it did. */
    public List<TaskQueue.Expired> expireNow() throws Exception {
        List<TaskQueue.Expired> expired = services.queue().expireLeases(Instant.now(services.clock()));
        if (!expired.isEmpty()) {
            services.durability().sync().get();
            for (TaskQueue.Expired e : expired) {
                log.info("lease of task {} (worker {}, epoch {}) expired: {}", e.taskId(), e.worker(), e.epoch(),
                        e.requeued() ? "requeued" : "failed: worker lost");
                services.control().forget(e.taskId());
                services.events().leaseExpired(e.taskId(), e.worker(), e.requeued());
                services.events().changed(e.taskId());
                if (e.requeued()) {
                    Document t = services.store().tasks().find(TaskFields.byId(e.taskId()))
                            .projection(Projections.include(TaskFields.QUEUE, TaskFields.STATUS)).first();
                    if (t != null) services.events().enqueued(e.taskId(), t.getString(TaskFields.QUEUE));
                } else {
                    // failed ("worker lost"), or aborted when an abort had been requested
                    Document t = services.store().tasks().find(TaskFields.byId(e.taskId()))
                            .projection(Projections.include(TaskFields.STATUS)).first();
                    services.events().finished(e.taskId(), t == null ? "failed" : t.getString(TaskFields.STATUS));
                }
            }
        }
        return expired;
    }

    @Override
    public void close() {
        services.vertx().cancelTimer(timerId);
    }
}

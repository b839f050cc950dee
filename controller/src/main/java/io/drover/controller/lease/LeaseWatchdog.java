package io.drover.controller.lease;

import io.drover.controller.Services;
import io.drover.controller.singleton.SingletonElector;
import io.drover.controller.singleton.SingletonJob;
import io.drover.controller.singleton.SingletonLeases;
import com.mongodb.client.model.Projections;
import io.drover.queue.TaskFields;
import io.drover.queue.TaskQueue;
import org.bson.Document;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Requeues (or fails, with "worker lost") tasks whose lease expired because their agent stopped
 * heartbeating. A singleton job ({@value #JOB}): of several controllers on one store only the
 * elected one runs it, every lease/3 (at least every second) on the store pool.
 *
 * <p>Grace: agents cannot heartbeat while the store is unreachable or while no node leads, so
 * their leases in the store look expired afterwards although they kept working. After a failed
 * run (store unreachable) and when this node starts leading (start, restart, take-over), it
 * expires nothing until one full task lease after the first successful contact: time for every
 * live agent to heartbeat again.
 */
public final class LeaseWatchdog implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(LeaseWatchdog.class);
    public static final String JOB = "lease-watchdog";
    static final Duration MIN_SINGLETON_LEASE = Duration.ofSeconds(3);
    static final Duration MAX_SINGLETON_LEASE = Duration.ofSeconds(15);

    private final Services services;
    private final SingletonElector elector;
    private final SingletonJob job;
    private final Grace grace;

    private LeaseWatchdog(Services services, SingletonElector elector, long periodMs) {
        this.services = services;
        this.elector = elector;
        this.grace = new Grace(services.config().lease());
        this.job = SingletonJob.start(services.vertx(), services.storePool(), elector, periodMs, this::runAsLeader);
    }

    public static LeaseWatchdog start(Services services) {
        Duration lease = services.config().lease();
        long period = Math.max(1000, lease.toMillis() / 3);
        Duration singletonLease = singletonLease(lease);
        SingletonLeases leases = new SingletonLeases(services.store().collection(SingletonLeases.COLLECTION)
                .withTimeout(Math.max(200, singletonLease.toMillis() / 3), TimeUnit.MILLISECONDS));
        // the embedded store is this process's alone (file lock): take over at once after a crash
        SingletonElector elector = SingletonElector.start(leases, JOB, singletonLease, services.store().isEmbedded(),
                Clock.systemUTC());
        return new LeaseWatchdog(services, elector, period);
    }

    /** The election's lease: the task lease, within 3..15 s (take-over time vs. store writes). */
    static Duration singletonLease(Duration taskLease) {
        if (taskLease.compareTo(MIN_SINGLETON_LEASE) < 0) return MIN_SINGLETON_LEASE;
        if (taskLease.compareTo(MAX_SINGLETON_LEASE) > 0) return MAX_SINGLETON_LEASE;
        return taskLease;
    }

    /** One run on the elected node: expire leases, or during a grace only check the store. */
    private void runAsLeader(long epoch) throws Exception {
        try {
            if (grace.mayExpire(epoch, elector.termStartNanos(), System.nanoTime())) {
                expireNow();
            } else {
                services.store().ping(Duration.ofSeconds(5));
            }
            grace.succeeded(System.nanoTime());
        } catch (Exception e) {
            if (grace.failed()) {
                log.warn("lease watchdog: the store is unreachable ({}); no lease expires until one lease ({} s) after it is back",
                        e.getMessage(), services.config().lease().toSeconds());
            }
            throw e;
        }
    }

    /** Handles expired leases now (no election, no grace: tests and tools call it directly); returns what it did. */
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

    /** The election this watchdog runs under (tests, /ready). */
    public SingletonElector elector() {
        return elector;
    }

    Grace grace() {
        return grace;
    }

    /** True while this node leads and is not in a grace period (it would expire leases now). */
    public boolean expiring() {
        return elector.isLeader() && grace.quiet(System.nanoTime());
    }

    @Override
    public void close() {
        job.close();
        elector.close();
    }

    /**
     * When the watchdog may expire leases: not within one task lease of this node's term start,
     * nor of the first successful run after a failed one. Times are {@link System#nanoTime()}.
     */
    static final class Grace {
        private final long leaseNanos;
        private long term = -1;
        private boolean outage;
        private long quietFrom;

        Grace(Duration taskLease) {
            this.leaseNanos = taskLease.toNanos();
        }

        /** Before a run of term {@code epoch} (taken at {@code termStart}): may it expire leases? */
        synchronized boolean mayExpire(long epoch, long termStart, long now) {
            if (epoch != term) {
                term = epoch;
                quietFrom = termStart + leaseNanos;
            }
            return !outage && now - quietFrom >= 0;
        }

        /** A run failed (store unreachable). True when this starts an outage (log it once). */
        synchronized boolean failed() {
            boolean first = !outage;
            outage = true;
            return first;
        }

        /** A run succeeded: the first one after an outage starts a grace of one lease. */
        synchronized void succeeded(long now) {
            if (!outage) return;
            outage = false;
            quietFrom = now + leaseNanos;
            log.info("lease watchdog: the store is reachable again; leases expire again in {} s, once agents have heartbeated",
                    leaseNanos / 1_000_000_000L);
        }

        synchronized boolean quiet(long now) {
            return term > 0 && !outage && now - quietFrom >= 0;
        }

        synchronized boolean inOutage() {
            return outage;
        }

        /** {@link System#nanoTime()} from which leases may expire (when not in an outage). */
        synchronized long quietFrom() {
            return quietFrom;
        }
    }
}

package io.drover.controller.singleton;

import java.lang.management.ManagementFactory;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.UUID;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Elects one node to run a singleton job, with a lease document in the store ({@link SingletonLeases}).
 * A node holds the lease for {@code lease} and renews it every {@code lease/3} on a thread of its
 * own; a node that does not hold it tries again when the holder's lease runs out (at most every
 * {@code lease/3}), so another node takes over within one lease after the holder dies or stops
 * renewing, and at once after a clean {@link #close} (which releases the lease).
 *
 * <p>Safety against a paused holder (GC pause, frozen VM, store unreachable): {@link #isLeader}
 * is measured on this JVM's monotonic clock from the moment a take or renewal was <em>sent</em>,
 * and ends {@link #SAFETY_FRACTION} of a lease before the store's expiry, so a node that has not
 * renewed stops acting before any other node could have taken the lease (provided the nodes'
 * wall clocks differ by less than that margin). Jobs check {@link #isLeader} before each run.
 */
public final class SingletonElector implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(SingletonElector.class);
    /** Part of the lease a holder gives up early, for clock differences between nodes. */
    static final double SAFETY_FRACTION = 0.1;
    private static final long MIN_RETRY_MS = 20;

    private final SingletonLeases leases;
    private final String job;
    private final String owner;
    private final Duration lease;
    private final boolean exclusiveStore;
    private final Clock clock;
    private final ScheduledExecutorService thread;

    // written by the elector thread, read by any
    private volatile long epoch = -1;            // of the term we hold, -1 when none
    private volatile long validUntilNanos;       // System.nanoTime() until which we may act
    private volatile long termStartNanos;        // System.nanoTime() when this node took the lease
    private volatile boolean paused;             // tests: behave like a holder frozen in a GC pause
    private volatile boolean closed;

    private SingletonElector(SingletonLeases leases, String job, Duration lease, boolean exclusiveStore, Clock clock) {
        this.leases = leases;
        this.job = job;
        this.owner = newOwnerId();
        this.lease = lease;
        this.exclusiveStore = exclusiveStore;
        this.clock = clock;
        this.thread = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "drover-singleton-" + job);
            t.setDaemon(true);
            return t;
        });
    }

    /**
     * Makes one attempt at once (blocking, so a lone node leads when this returns), then keeps
     * electing in the background.
     *
     * @param exclusiveStore the store is private to this process (embedded): take the lease even
     *                       if a crashed earlier run of this node still holds it
     */
    public static SingletonElector start(SingletonLeases leases, String job, Duration lease, boolean exclusiveStore,
                                         Clock clock) {
        if (lease.toMillis() < 300) throw new IllegalArgumentException("a singleton lease must be at least 300 ms, got " + lease);
        SingletonElector e = new SingletonElector(leases, job, lease, exclusiveStore, clock);
        long next = e.step();
        e.thread.schedule(e::loop, next, TimeUnit.MILLISECONDS);
        return e;
    }

    /** True while this node holds a fresh lease: check it right before each run of the job. */
    public boolean isLeader() {
        return epoch > 0 && System.nanoTime() - validUntilNanos < 0 && !closed;
    }

    /** The epoch (fencing token) of the term this node holds, or -1 when it does not lead. */
    public long epoch() {
        return isLeader() ? epoch : -1;
    }

    /** {@link System#nanoTime()} when this node took the lease of its current term. */
    public long termStartNanos() {
        return termStartNanos;
    }

    public String owner() {
        return owner;
    }

    public String job() {
        return job;
    }

    public Duration lease() {
        return lease;
    }

    private void loop() {
        if (closed) return;
        long next = step();
        if (!closed) thread.schedule(this::loop, next, TimeUnit.MILLISECONDS);
    }

    /** One renewal or take attempt; returns the delay to the next one in ms. */
    private long step() {
        long third = Math.max(MIN_RETRY_MS, lease.toMillis() / 3);
        if (paused) return MIN_RETRY_MS;
        long sent = System.nanoTime();
        Instant now = clock.instant();
        try {
            if (epoch > 0) {
                if (leases.renew(job, owner, epoch, now, lease)) {
                    validUntilNanos = sent + validNanos();
                    return third;
                }
                log.warn("singleton {}: another node took the lease (this node held epoch {}); stopped running it", job, epoch);
                epoch = -1;
            }
            SingletonLeases.Attempt a = leases.acquire(job, owner, now, lease, exclusiveStore);
            if (a.acquired()) {
                validUntilNanos = sent + validNanos();
                termStartNanos = sent;
                epoch = a.epoch();
                log.info("singleton {}: this node ({}) runs it now (epoch {})", job, owner, a.epoch());
                return third;
            }
            // try again right when the holder's lease runs out (it may be dead), or at lease/3 for a release
            long untilExpiry = Duration.between(now, a.holderExpiresAt()).toMillis() + MIN_RETRY_MS;
            return Math.max(MIN_RETRY_MS, Math.min(third, untilExpiry));
        } catch (RuntimeException e) {
            // store unreachable: a lease we hold runs out by itself (isLeader turns false); keep trying
            log.debug("singleton {}: lease call failed: {}", job, e.toString());
            return Math.min(third, 1000);
        }
    }

    private long validNanos() {
        return (long) (lease.toNanos() * (1 - SAFETY_FRACTION));
    }

    /** Tests: freeze (true) like a holder in a long GC pause (no renewals), or thaw it (false). */
    void pauseForTest(boolean pause) {
        this.paused = pause;
    }

    /** Tests: die without releasing, like {@code kill -9}. */
    void haltForTest() {
        closed = true;
        thread.shutdownNow();
    }

    /** Stops electing and releases the lease if held, so another node takes over at once. */
    @Override
    public void close() {
        if (closed) return;
        closed = true;
        thread.shutdownNow();
        try {
            thread.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        long held = epoch;
        epoch = -1;
        if (held > 0) {
            try {
                leases.release(job, owner, held);
            } catch (RuntimeException e) {
                log.info("singleton {}: could not release the lease ({}); another node takes over when it expires", job, e.toString());
            }
        }
    }

    private static String newOwnerId() {
        // pid@host, plus a random part: two electors in one JVM (tests, clustered nodes) differ too
        return ManagementFactory.getRuntimeMXBean().getName() + "/" + UUID.randomUUID().toString().substring(0, 8);
    }
}

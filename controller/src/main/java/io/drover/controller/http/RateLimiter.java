package io.drover.controller.http;

import java.util.Iterator;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;

/**
 * Token buckets per key (a credential, or an IP address for anonymous callers): each key may
 * spend {@code burst} requests at once and gets {@code ratePerSecond} back every second.
 * Thread-safe and non-blocking (a few nanoseconds per call; fine on the event loop).
 *
 * <p>The number of buckets is bounded: a bucket that has refilled completely carries no
 * information and is dropped when the map grows past {@link #SWEEP_AT} (then each time it doubles); past {@link #MAX_KEYS}
 * new keys share one overflow bucket, so made-up keys cannot exhaust memory.
 */
public final class RateLimiter {
    static final int SWEEP_AT = 10_000;
    static final int MAX_KEYS = 100_000;
    private static final String OVERFLOW = "\0overflow";

    private final double ratePerNano;
    private final double burst;
    private final LongSupplier nanos;
    private final Map<String, Bucket> buckets = new ConcurrentHashMap<>();
    private volatile int nextSweep = SWEEP_AT;
    private volatile long lastSweep = Long.MIN_VALUE / 2;

    public RateLimiter(double ratePerSecond, int burst) {
        this(ratePerSecond, burst, System::nanoTime);
    }

    /** @param nanos a monotonic clock in nanoseconds (tests) */
    public RateLimiter(double ratePerSecond, int burst, LongSupplier nanos) {
        if (!(ratePerSecond > 0)) throw new IllegalArgumentException("rate must be above 0 per second, got " + ratePerSecond);
        if (burst < 1) throw new IllegalArgumentException("burst must be at least 1, got " + burst);
        this.ratePerNano = ratePerSecond / 1e9;
        this.burst = burst;
        this.nanos = nanos;
    }

    /**
     * Takes one token for {@code key}.
     *
     * @return 0 when allowed, else how many nanoseconds until a token is available
     */
    public long acquire(String key) {
        long now = nanos.getAsLong();
        int size = buckets.size();
        if (size >= nextSweep || size >= MAX_KEYS) {
            if (!buckets.containsKey(key)) {
                // amortized: after a sweep the next one waits for the map to double, or (at the cap) a second
                if (size >= nextSweep || now - lastSweep >= 1_000_000_000L) {
                    sweep(now);
                    lastSweep = now;
                    nextSweep = Math.max(SWEEP_AT, buckets.size() * 2);
                }
                if (buckets.size() >= MAX_KEYS) key = OVERFLOW;
            }
        }
        Bucket b = buckets.computeIfAbsent(key, k -> new Bucket(burst, now));
        return b.take(now, ratePerNano, burst);
    }

    /** Seconds to put in {@code Retry-After} for a wait of {@code nanos} (at least 1). */
    public static long retryAfterSeconds(long nanos) {
        return Math.max(1, (nanos + 999_999_999L) / 1_000_000_000L);
    }

    int size() {
        return buckets.size();
    }

    private void sweep(long now) {
        for (Iterator<Map.Entry<String, Bucket>> it = buckets.entrySet().iterator(); it.hasNext(); ) {
            if (it.next().getValue().full(now, ratePerNano, burst)) it.remove();
        }
    }

    private static final class Bucket {
        private double tokens;
        private long last;

        Bucket(double tokens, long now) {
            this.tokens = tokens;
            this.last = now;
        }

        synchronized long take(long now, double ratePerNano, double burst) {
            refill(now, ratePerNano, burst);
            if (tokens >= 1) {
                tokens -= 1;
                return 0;
            }
            return (long) Math.ceil((1 - tokens) / ratePerNano);
        }

        synchronized boolean full(long now, double ratePerNano, double burst) {
            refill(now, ratePerNano, burst);
            return tokens >= burst;
        }

        private void refill(long now, double ratePerNano, double burst) {
            if (now > last) {
                tokens = Math.min(burst, tokens + (now - last) * ratePerNano);
                last = now;
            }
        }
    }
}

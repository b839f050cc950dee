package io.drover.controller.http;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Iterator;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Brute-force protection for {@code POST /auth/login} (docs/API.md): after {@link #MAX_FAILURES}
 * failed logins for one username, or from one IP address, within {@link #WINDOW}, further
 * attempts are refused with 429 + {@code Retry-After} until the oldest failure leaves the window.
 * Refused attempts are not checked against the password at all, so they cannot probe it.
 *
 * <p>How auth-core's login uses it (one instance per controller):
 * <pre>{@code
 * throttle.check(username, ip);         // throws TooManyRequests (429, Retry-After) while throttled
 * if (!passwordOk) { throttle.failed(username, ip); ...401 }
 * else throttle.succeeded(username, ip); // clears the username's failures (not the IP's)
 * }</pre>
 * Thread-safe; in memory only (a restart forgets failures: acceptable, a restart is slower than
 * the throttle). Bounded: expired entries are swept once the map grows past {@link #SWEEP_AT}.
 */
public final class LoginThrottle {
    public static final int MAX_FAILURES = 5;
    public static final Duration WINDOW = Duration.ofMinutes(5);
    static final int SWEEP_AT = 10_000;

    private final int maxFailures;
    private final long windowMillis;
    private final Clock clock;
    private final Map<String, Deque<Long>> failures = new ConcurrentHashMap<>();

    public LoginThrottle() {
        this(MAX_FAILURES, WINDOW, Clock.systemUTC());
    }

    public LoginThrottle(int maxFailures, Duration window, Clock clock) {
        this.maxFailures = maxFailures;
        this.windowMillis = window.toMillis();
        this.clock = clock;
    }

    /** Throws 429 {@link TooManyRequests} while the username or the IP is throttled. */
    public void check(String username, String ip) {
        long wait = Math.max(waitMillis(userKey(username)), waitMillis(ipKey(ip)));
        if (wait > 0) {
            long seconds = Math.max(1, (wait + 999) / 1000);
            throw new TooManyRequests("too many failed logins for this user or from this address; wait "
                    + seconds + " s before trying again", seconds);
        }
    }

    /** Counts one failed login (unknown user and wrong password alike). */
    public void failed(String username, String ip) {
        long now = clock.millis();
        if (failures.size() >= SWEEP_AT) sweep(now);
        add(userKey(username), now);
        add(ipKey(ip), now);
    }

    /**
     * A successful login clears the failures of its username. The IP's failures stay: one
     * attacker's own valid account must not reset the count of guesses against others.
     */
    public void succeeded(String username, String ip) {
        failures.remove(userKey(username));
    }

    private static String userKey(String username) {
        return "u:" + (username == null ? "" : username.trim().toLowerCase(Locale.ROOT));
    }

    private static String ipKey(String ip) {
        return "ip:" + (ip == null ? "unknown" : ip);
    }

    private void add(String key, long now) {
        Deque<Long> d = failures.computeIfAbsent(key, k -> new ArrayDeque<>());
        synchronized (d) {
            prune(d, now);
            d.addLast(now);
            while (d.size() > maxFailures) d.removeFirst(); // only the last few matter
        }
    }

    private long waitMillis(String key) {
        Deque<Long> d = failures.get(key);
        if (d == null) return 0;
        long now = clock.millis();
        synchronized (d) {
            prune(d, now);
            if (d.size() < maxFailures) return 0;
            return d.peekFirst() + windowMillis - now;
        }
    }

    private void prune(Deque<Long> d, long now) {
        while (!d.isEmpty() && d.peekFirst() + windowMillis <= now) d.removeFirst();
    }

    private void sweep(long now) {
        for (Iterator<Map.Entry<String, Deque<Long>>> it = failures.entrySet().iterator(); it.hasNext(); ) {
            Deque<Long> d = it.next().getValue();
            synchronized (d) {
                prune(d, now);
                if (d.isEmpty()) it.remove();
            }
        }
    }
}

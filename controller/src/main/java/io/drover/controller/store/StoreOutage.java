package io.drover.controller.store;

import com.mongodb.MongoConnectionPoolClearedException;
import com.mongodb.MongoException;
import com.mongodb.MongoExecutionTimeoutException;
import com.mongodb.MongoInterruptedException;
import com.mongodb.MongoNodeIsRecoveringException;
import com.mongodb.MongoNotPrimaryException;
import com.mongodb.MongoSecurityException;
import com.mongodb.MongoServerUnavailableException;
import com.mongodb.MongoSocketException;
import com.mongodb.MongoTimeoutException;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Tells a store outage (no server reachable, connection dropped, no primary, timed out) from other
 * failures, so that the API answers it with 503 {@code unavailable}, reason {@code store_unavailable}
 * and a {@code Retry-After} instead of a 500, and logs it once per outage instead of once per
 * request. Messages never carry the driver's text verbatim: it may name hosts, and a connection
 * string (with its password) is masked before anything reaches the log.
 *
 * <p>One instance per JVM ({@link #get}): the HTTP error path is static, and controllers sharing a
 * JVM (tests) share one store outage anyway.
 */
public final class StoreOutage {
    private static final Logger log = LoggerFactory.getLogger(StoreOutage.class);
    private static final StoreOutage INSTANCE = new StoreOutage();

    /** The {@code error.reason} of the API's 503 body. */
    public static final String REASON = "store_unavailable";
    /** What the 503 asks clients to wait before trying again. */
    public static final int RETRY_AFTER_SECONDS = 5;
    /** An outage is over once requests succeed and no store failure was seen for this long. */
    static final long QUIET_MS = 10_000;
    /** A failure this long after the previous one starts a new outage (logged again) even if no success came between. */
    static final long NEW_OUTAGE_AFTER_MS = 60_000;

    private final Object lock = new Object();
    /** Written under {@code lock}; read without it on the success path. */
    private volatile boolean inOutage;
    private long startedAt;
    private long lastFailureAt;
    private final AtomicLong answered503 = new AtomicLong();
    private final AtomicLong outages = new AtomicLong();

    StoreOutage() {}

    public static StoreOutage get() {
        return INSTANCE;
    }

    /**
     * What kind of store failure {@code t} (or one of its causes) is, in words fit for an API
     * answer; empty when it is not a store failure.
     */
    public static Optional<String> kind(Throwable t) {
        for (Throwable c = t; c != null; c = c.getCause() == c ? null : c.getCause()) {
            String k = kindOf(c);
            if (k != null) return Optional.of(k);
        }
        return Optional.empty();
    }

    private static String kindOf(Throwable c) {
        if (!(c instanceof MongoException e)) return null;
        if (e instanceof MongoInterruptedException) return null; // the controller is stopping, not the store
        // MongoOperationTimeoutException (a timeout on one operation) is a MongoTimeoutException too
        if (e instanceof MongoTimeoutException) return "no store server answered in time";
        if (e instanceof MongoSocketException) return "the connection to the store failed";
        if (e instanceof MongoConnectionPoolClearedException) return "the connection to the store was reset";
        if (e instanceof MongoNotPrimaryException || e instanceof MongoNodeIsRecoveringException) {
            return "the store has no primary (a replica set election is under way)";
        }
        if (e instanceof MongoServerUnavailableException) return "the store server is unavailable";
        if (e instanceof MongoExecutionTimeoutException) return "the store did not finish the operation in time";
        if (e instanceof MongoSecurityException) return "the store refused the controller's login (check --mongo-uri's user and password)";
        if (e.hasErrorLabel(MongoException.TRANSIENT_TRANSACTION_ERROR_LABEL)
                || e.hasErrorLabel(MongoException.UNKNOWN_TRANSACTION_COMMIT_RESULT_LABEL)) {
            return "the store failed transiently";
        }
        return null;
    }

    /** The API message for a store failure of {@code kind}: what happened and what to do. */
    public static String message(String kind) {
        return "the store is not reachable (" + kind + "); the controller retries on its own: try again shortly";
    }

    /**
     * Notes a request answered 503 because of {@code t}; the first of an outage is logged (at WARN,
     * with the masked driver message), the others only counted.
     */
    public void failed(String kind, Throwable t) {
        answered503.incrementAndGet();
        long now = System.currentTimeMillis();
        boolean first;
        synchronized (lock) {
            first = !inOutage || now - lastFailureAt > NEW_OUTAGE_AFTER_MS;
            if (first) {
                inOutage = true;
                startedAt = now;
                outages.incrementAndGet();
            }
            lastFailureAt = now;
        }
        if (first) {
            log.warn("store unavailable: {} ({}); API requests that need it answer 503 until it is back (logged once per outage)",
                    kind, mask(String.valueOf(rootOf(t))));
        }
    }

    /** Notes a request that succeeded; ends the outage (logged) once no failure was seen for {@link #QUIET_MS}. */
    public void succeeded() {
        if (!inOutage) return; // the common case: one volatile read
        long now = System.currentTimeMillis();
        long lasted;
        synchronized (lock) {
            if (!inOutage || now - lastFailureAt < QUIET_MS) return;
            inOutage = false;
            lasted = lastFailureAt - startedAt;
        }
        log.info("store available again: the outage lasted about {} s; {} API requests were answered 503 so far",
                Math.max(1, lasted / 1000), answered503.get());
    }


    /** How many outages were logged since the start (each logged once, however many requests failed). */
    public long outages() {
        return outages.get();
    }

    /** How many API requests were answered 503 for a store failure since the start. */
    public long answered503() {
        return answered503.get();
    }

    /** Whether a store failure was answered in the last {@link #QUIET_MS}. */
    public boolean recentlyFailed() {
        synchronized (lock) {
            return inOutage && System.currentTimeMillis() - lastFailureAt < QUIET_MS;
        }
    }

    private static Throwable rootOf(Throwable t) {
        Throwable r = t;
        while (r.getCause() != null && r.getCause() != r) {
            if (r instanceof MongoException) break; // the driver's own exception says the most
            r = r.getCause();
        }
        return r;
    }

    private static final Pattern URI = Pattern.compile("mongodb(\\+srv)?://\\S+");

    /** Masks the password of any connection string in a driver message. */
    public static String mask(String text) {
        return URI.matcher(text).replaceAll(m -> java.util.regex.Matcher.quoteReplacement(
                io.drover.controller.config.ControllerConfig.maskUri(m.group())));
    }
}

package io.drover.agent.capture;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.drover.shared.domain.DroverException;
import io.drover.shared.json.Json;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Picks {@link DroverDirective}s out of a task's stdout as it streams and sends them: metrics in
 * batches to {@code POST /tasks/{id}/scalars} at least once a second (or at once when
 * {@link #MAX_BATCH} points wait), params through the report call (merged under the task's own
 * params), tags to {@code POST /tasks/{id}/tags} (added to the task's tags).
 *
 * <p>Batch numbers start at {@link #BATCH_BASE} so they never collide with the Python client's
 * batches relayed by the agent under the same lease epoch (numbered pid × 10^6 + n, far below 2^60); a failed batch is
 * retried with the same number, so the controller stores it once. Lines are never held up: the
 * caller hands each line over and goes on shipping it as a log line.
 */
public final class DirectiveCapture implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(DirectiveCapture.class);
    public static final long BATCH_BASE = 1L << 60;
    public static final int MAX_BATCH = 10_000;
    /** Points waiting beyond this (controller unreachable for long) are dropped, and said once. */
    static final int MAX_PENDING = 200_000;

    /** Where directives go. Throw {@link LogSink.LeaseLost} when the task is no longer ours; anything else is retried. */
    public interface Sink {
        void scalars(long batch, ObjectNode body) throws Exception;

        void params(Map<String, String> params) throws Exception;

        /** Adds tags to the task. */
        default void tags(List<String> tags) throws Exception {}
    }

    private final Sink sink;
    private final Duration every;
    private final Thread thread;
    private final List<ObjectNode> points = new ArrayList<>();
    private final Map<String, String> params = new LinkedHashMap<>();
    private final java.util.Set<String> tags = new java.util.LinkedHashSet<>();
    private ObjectNode inFlight;
    private long nextBatch = BATCH_BASE;
    private long dropped;
    private boolean closed;
    private volatile boolean stopped;

    public DirectiveCapture(Sink sink, String name) {
        this(sink, name, Duration.ofSeconds(1));
    }

    public DirectiveCapture(Sink sink, String name, Duration every) {
        this.sink = sink;
        this.every = every;
        this.thread = new Thread(this::loop, "drover-directives-" + name);
        this.thread.setDaemon(true);
        this.thread.start();
    }

    /** Looks at one stdout line; returns true when it was a directive (it stays a log line either way). */
    public boolean accept(String line) {
        DroverDirective d = DroverDirective.parse(line);
        if (d == null) return false;
        synchronized (this) {
            if (d instanceof DroverDirective.Metric m) {
                if (points.size() >= MAX_PENDING) {
                    if (dropped++ == 0) LOG.warn("metric points are not reaching the controller; dropping new ones");
                    return true;
                }
                ObjectNode p = Json.object().put("metric", m.name()).put("iter", m.iter()).put("value", m.value())
                        .put("ts", Instant.now().toEpochMilli());
                if (!m.series().isEmpty()) p.put("variant", m.series());
                points.add(p);
                if (points.size() >= MAX_BATCH) notifyAll();
            } else if (d instanceof DroverDirective.Param p) {
                params.put(p.name(), p.value());
            } else if (d instanceof DroverDirective.Tag t) {
                // checked here: a name the controller refuses would otherwise be retried forever
                if (io.drover.shared.domain.Ids.isName(t.value())) tags.add(t.value());
                else LOG.warn("'::drover tag value={}' ignored: a tag is 1-64 letters, digits, '.', '_' or '-'", t.value());
            }
        }
        return true;
    }

    private void loop() {
        while (!stopped) {
            boolean drain;
            synchronized (this) {
                if (points.size() < MAX_BATCH && !closed) {
                    try {
                        wait(every.toMillis());
                    } catch (InterruptedException e) {
                        return;
                    }
                }
                // Woken by a full batch: send full batches only, so a fast producer does not turn the
                // tail into a stream of tiny requests; the tail waits for the interval (or close).
                drain = closed || points.size() < MAX_BATCH;
            }
            boolean ok = flushOnce(drain);
            synchronized (this) {
                if (!ok && closed) {
                    try {
                        wait(200); // closing with the controller unreachable: do not spin until the deadline
                    } catch (InterruptedException e) {
                        return;
                    }
                }
                if (closed && points.isEmpty() && params.isEmpty() && tags.isEmpty() && inFlight == null) return;
            }
        }
    }

    /**
     * Sends what waits: the batch in flight first (a retry keeps its number), then new points (only full
     * batches unless {@code drain}), then params.
     */
    private boolean flushOnce(boolean drain) {
        try {
            while (true) {
                ObjectNode batch;
                long number;
                synchronized (this) {
                    if (inFlight == null && !points.isEmpty() && (drain || points.size() >= MAX_BATCH)) {
                        List<ObjectNode> take = new ArrayList<>(points.subList(0, Math.min(MAX_BATCH, points.size())));
                        points.subList(0, take.size()).clear();
                        inFlight = Json.object();
                        ArrayNode arr = inFlight.putArray("points");
                        take.forEach(arr::add);
                        nextBatch++;
                    }
                    if (inFlight == null) break;
                    batch = inFlight;
                    number = nextBatch - 1;
                }
                send(batch, number);
                synchronized (this) {
                    inFlight = null;
                }
            }
            if (!flushTags()) return false;
            Map<String, String> ps;
            synchronized (this) {
                if (params.isEmpty()) return true;
                ps = new LinkedHashMap<>(params);
            }
            try {
                sink.params(ps);
                synchronized (this) {
                    ps.forEach(params::remove);
                }
            } catch (LogSink.LeaseLost e) {
                throw e;
            } catch (Exception e) {
                LOG.debug("cannot report params yet: {}", e.getMessage());
                return false;
            }
            return true;
        } catch (LogSink.LeaseLost e) {
            stopped = true;
            return true;
        } catch (Exception e) {
            LOG.debug("scalar batch not sent yet, retrying: {}", e.getMessage());
            return false;
        }
    }

    /** Sends waiting tags; false when they must be tried again. */
    private boolean flushTags() {
        List<String> ts;
        synchronized (this) {
            if (tags.isEmpty()) return true;
            ts = new ArrayList<>(tags);
        }
        try {
            sink.tags(ts);
        } catch (LogSink.LeaseLost e) {
            throw e;
        } catch (DroverException e) {
            int status = e.code().http();
            if (status < 400 || status >= 500 || status == 429 || status == 409 || status == 403) {
                LOG.debug("cannot add tags yet: {}", e.getMessage());
                return false;
            }
            LOG.warn("tags {} refused by the controller, dropped: {}", ts, e.getMessage());
        } catch (Exception e) {
            LOG.debug("cannot add tags yet: {}", e.getMessage());
            return false;
        }
        synchronized (this) {
            ts.forEach(tags::remove);
        }
        return true;
    }

    private void send(ObjectNode batch, long number) throws Exception {
        try {
            sink.scalars(number, batch);
        } catch (DroverException e) {
            int status = e.code().http();
            if (status >= 400 && status < 500 && status != 429 && status != 409 && status != 403) {
                // the controller will never take this batch (validated here, so unexpected): drop it, go on
                LOG.warn("scalar batch {} refused by the controller, dropped: {}", number, e.getMessage());
                return;
            }
            throw e;
        }
    }

    /** Sends what is left, waiting at most {@code timeout}. */
    public void close(Duration timeout) {
        synchronized (this) {
            closed = true;
            notifyAll();
        }
        try {
            thread.join(timeout.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        stopped = true;
    }

    @Override
    public void close() {
        close(Duration.ofSeconds(5));
    }
}

package io.drover.agent.capture;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Ships a task's console lines in numbered batches. A batch goes out as soon as the previous one
 * is acknowledged, so an idle task's first line leaves at once and a chatty task's lines group
 * themselves while a request is in flight; the {@code maxDelay} tick bounds how long any line
 * waits. Memory is bounded. While the controller answers, a full buffer makes {@link #add} wait
 * (the task's output pipe then fills and the task writes more slowly, as on a slow terminal): a
 * burst of output is never thrown away. Only while the controller is unreachable are new lines
 * counted and dropped once the buffer is full, and a "[drover] N lines dropped" marker takes
 * their place.
 */
public final class LogShipper implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(LogShipper.class);
    /** Overlong lines (a progress bar without newlines) are cut so one line cannot fill a batch. */
    public static final int MAX_LINE_CHARS = 16_384;

    private final LogSink sink;
    /** Secret values are masked before a line is buffered, cut or counted: nothing unmasked leaves the agent. */
    private final SecretMask mask;
    private final int maxBufferedLines;
    /** Characters held in the buffer: lines may be long, so memory is bounded by size too. */
    private static final long MAX_BUFFERED_CHARS = 8_000_000;
    private long bufferedChars;
    private final int maxBatchLines;
    private final Duration maxDelay;
    private final ArrayDeque<LogLine> buffer = new ArrayDeque<>();
    private final Thread thread;
    private long dropped;
    private long nextBatch = 1;
    private boolean closing;
    private volatile boolean leaseLost;
    private volatile long shippedLines;
    /** The last send failed: the controller is unreachable, so a full buffer drops instead of waiting. */
    private boolean failing;
    /** Longest a line waits for room while the controller answers, before it is dropped after all. */
    private static final long MAX_WAIT_FOR_ROOM_MS = 60_000;

    public LogShipper(LogSink sink, String name) {
        this(sink, name, 20_000, 2_000, Duration.ofMillis(200));
    }

    /** A task's shipper that masks the task's secret values in every line. */
    public LogShipper(LogSink sink, String name, SecretMask mask) {
        this(sink, name, 20_000, 2_000, Duration.ofMillis(200), mask);
    }

    public LogShipper(LogSink sink, String name, int maxBufferedLines, int maxBatchLines, Duration maxDelay) {
        this(sink, name, maxBufferedLines, maxBatchLines, maxDelay, SecretMask.NONE);
    }

    public LogShipper(LogSink sink, String name, int maxBufferedLines, int maxBatchLines, Duration maxDelay, SecretMask mask) {
        this.sink = sink;
        this.mask = mask;
        this.maxBufferedLines = maxBufferedLines;
        this.maxBatchLines = maxBatchLines;
        this.maxDelay = maxDelay;
        this.thread = new Thread(this::run, "drover-logs-" + name);
        this.thread.setDaemon(true);
        this.thread.start();
    }

    /** Queues one line; never blocks the reader of the task's output. */
    public void add(LogLine line) {
        line = mask.apply(line);
        if (line.text().length() > MAX_LINE_CHARS) {
            line = new LogLine(line.ts(), line.stream(), line.text().substring(0, MAX_LINE_CHARS) + " [drover: line cut]");
        }
        synchronized (buffer) {
            if (leaseLost) return;
            long deadline = System.currentTimeMillis() + MAX_WAIT_FOR_ROOM_MS;
            while (full(line) && !failing && !closing && !leaseLost && System.currentTimeMillis() < deadline) {
                try {
                    buffer.wait(Math.max(1, deadline - System.currentTimeMillis()));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    break;
                }
            }
            if (leaseLost) return;
            if (full(line)) {
                dropped++;
                return;
            }
            if (dropped > 0) {
                LogLine marker = new LogLine(line.ts(), "stderr", "[drover] " + dropped + " lines dropped");
                buffer.add(marker);
                bufferedChars += marker.text().length();
                dropped = 0;
            }
            buffer.add(line);
            bufferedChars += line.text().length();
            buffer.notifyAll();
        }
    }

    private boolean full(LogLine line) {
        return buffer.size() >= maxBufferedLines || bufferedChars + line.text().length() > MAX_BUFFERED_CHARS;
    }

    public boolean leaseLost() {
        return leaseLost;
    }

    public long shippedLines() {
        return shippedLines;
    }

    /**
     * Sends what is left and stops. {@code timeout} bounds the time without progress, not the
     * total: a large backlog that is being delivered is delivered whole, an unreachable controller
     * costs at most {@code timeout}.
     */
    public void close(Duration timeout) {
        synchronized (buffer) {
            closing = true;
            buffer.notifyAll();
        }
        try {
            long shipped;
            do {
                shipped = shippedLines;
                thread.join(timeout.toMillis());
            } while (thread.isAlive() && shippedLines != shipped);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        thread.interrupt();
    }

    @Override
    public void close() {
        close(Duration.ofSeconds(10));
    }

    private void run() {
        long backoffMs = 0;
        List<LogLine> batch = null;
        try {
            while (true) {
                if (batch == null) {
                    synchronized (buffer) {
                        while (buffer.isEmpty() && !closing) buffer.wait(Math.max(1, maxDelay.toMillis()));
                        if (buffer.isEmpty() && closing) {
                            if (dropped > 0) {
                                LogLine marker = new LogLine(Instant.now(), "stderr", "[drover] " + dropped + " lines dropped");
                                buffer.add(marker);
                                bufferedChars += marker.text().length();
                                dropped = 0;
                            } else {
                                return;
                            }
                        }
                        batch = new ArrayList<>(Math.min(buffer.size(), maxBatchLines));
                        long chars = 0;
                        // a batch stays well under the controller's 2 MiB limit on log bodies
                        while (!buffer.isEmpty() && batch.size() < maxBatchLines && chars < 1_000_000) {
                            LogLine l = buffer.poll();
                            chars += l.text().length();
                            batch.add(l);
                        }
                        bufferedChars -= chars;
                        buffer.notifyAll(); // room for a producer waiting in add()
                    }
                }
                try {
                    sink.send(nextBatch, batch);
                    nextBatch++;
                    shippedLines += batch.size();
                    batch = null;
                    backoffMs = 0;
                    synchronized (buffer) {
                        failing = false;
                    }
                } catch (LogSink.LeaseLost e) {
                    leaseLost = true;
                    synchronized (buffer) {
                        buffer.clear();
                        bufferedChars = 0;
                        buffer.notifyAll();
                    }
                    return;
                } catch (InterruptedException e) {
                    return;
                } catch (Exception e) {
                    // same batch number next time: the controller stores a retried batch once
                    synchronized (buffer) {
                        failing = true;
                        buffer.notifyAll(); // producers waiting for room drop from now on
                    }
                    backoffMs = Math.min(5_000, Math.max(100, backoffMs * 2));
                    LOG.debug("log batch {} not delivered ({}); retrying in ~{} ms", nextBatch, e.toString(), backoffMs);
                    Thread.sleep(backoffMs / 2 + ThreadLocalRandom.current().nextLong(backoffMs / 2 + 1));
                }
            }
        } catch (InterruptedException e) {
            // closing timed out
        }
    }
}

package io.drover.agent.capture;

import io.drover.agent.spool.Spool;
import io.drover.agent.spool.SpooledLines;
import java.io.IOException;
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
 *
 * <p>With a {@link Spool} (the agent's tasks have one), new lines go to disk instead of waiting or
 * being dropped once a send failed (controller or store unavailable) or the buffer is full: from
 * then on every new line goes to the spool until it is delivered, so the
 * memory buffer (older) ships first, then the spool in order, then newer lines again. The task is
 * never slowed down; only a full spool loses lines (the oldest), and a console line says how many.
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
    /** Overflow on disk, or null (then a full buffer waits or drops as described above). */
    private final Spool spool;
    /** New lines go to the spool (it holds lines not yet delivered); guarded by {@code buffer}. */
    private boolean spooling;
    /** Lines the spool could not take (disk error); said in a marker line like {@code dropped}. */
    private boolean spoolFailedSaid;
    private volatile long spooledLines;
    /** When the send in flight began (nanoTime), 0 when none: a send that hangs (a store outage takes seconds to fail) counts as failing. */
    private volatile long sendingSince;
    private static final long SLOW_SEND_NANOS = 1_000_000_000L;

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
        this(sink, name, maxBufferedLines, maxBatchLines, maxDelay, mask, null);
    }

    /** A task's shipper that spills to {@code spool} (closed and deleted with the shipper) instead of waiting or dropping. */
    public LogShipper(LogSink sink, String name, SecretMask mask, Spool spool) {
        this(sink, name, 20_000, 2_000, Duration.ofMillis(200), mask, spool);
    }

    public LogShipper(LogSink sink, String name, int maxBufferedLines, int maxBatchLines, Duration maxDelay, SecretMask mask,
            Spool spool) {
        this.spool = spool;
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
            // the controller is unreachable (or the buffer is full): new lines wait on disk, not in memory
            if (spool != null && (spooling || failing || full(line) || sendIsSlow())) {
                spooling = true;
                buffer.notifyAll();
                toSpool(line);
                return;
            }
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

    /** Appends to the spool (under the buffer's lock); a disk error drops the line and is said once in the console. */
    private void toSpool(LogLine line) {
        try {
            if (dropped > 0) {
                spool.append(SpooledLines.encode(new LogLine(line.ts(), "stderr", "[drover] " + dropped + " lines dropped")));
                dropped = 0;
            }
            spool.append(SpooledLines.encode(line));
            spooledLines++;
        } catch (IOException e) {
            dropped++;
            if (!spoolFailedSaid) {
                spoolFailedSaid = true;
                LOG.warn("cannot write the log spool {}: {}; lines are dropped until the controller answers", spool.dir(), e.toString());
            }
        }
    }

    private boolean sendIsSlow() {
        long since = sendingSince;
        return since != 0 && System.nanoTime() - since > SLOW_SEND_NANOS;
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

    /** Lines that went through the spool so far. */
    public long spooledLines() {
        return spooledLines;
    }

    /**
     * Sends everything left, the spool included, and stops: for the end of a task, whose lines
     * must reach the controller before its final status. Waits as long as it takes (the controller
     * may be back in minutes), until the lease is lost or {@code giveUp} says so.
     */
    public void closeDelivering(java.util.function.BooleanSupplier giveUp) {
        synchronized (buffer) {
            closing = true;
            buffer.notifyAll();
        }
        try {
            while (thread.isAlive() && !giveUp.getAsBoolean()) thread.join(200);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        close(Duration.ofSeconds(1));
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
        if (spool != null) {
            try {
                thread.join(1_000);
                synchronized (buffer) {
                    if (!spool.isEmpty()) {
                        LOG.warn("{} spooled log lines were not delivered before the task ended", spool.pending());
                    }
                    spool.delete();
                }
            } catch (IOException e) {
                LOG.warn("cannot delete the log spool {}: {}", spool.dir(), e.toString());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    @Override
    public void close() {
        close(Duration.ofSeconds(10));
    }

    private void run() {
        long backoffMs = 0;
        List<LogLine> batch = null;
        Spool.Chunk fromSpool = null; // what the batch took from the spool, committed once delivered
        try {
            while (true) {
                if (batch == null) {
                    synchronized (buffer) {
                        while (buffer.isEmpty() && !spooling && !closing) buffer.wait(Math.max(1, maxDelay.toMillis()));
                        if (buffer.isEmpty() && spooling) {
                            // the memory buffer (older lines) is delivered: now the spool, in order
                            fromSpool = readSpool();
                            if (fromSpool == null) continue;
                            batch = new ArrayList<>(fromSpool.records().size() + 1);
                            if (fromSpool.dropped() > 0) {
                                batch.add(new LogLine(Instant.now(), "stderr", "[drover] " + fromSpool.dropped()
                                        + " lines dropped: the agent's log spool (" + size(spool.maxBytes())
                                        + ", --spool-max-mb) was full while the controller was unreachable"));
                                LOG.warn("{} log lines dropped: the spool {} was full", fromSpool.dropped(), spool.dir());
                            }
                            for (byte[] r : fromSpool.records()) batch.add(SpooledLines.decode(r));
                        }
                    }
                }
                if (batch == null) {
                    synchronized (buffer) {
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
                if (batch.isEmpty()) { // a spool chunk with nothing readable in it
                    if (fromSpool != null) commitSpool(fromSpool);
                    batch = null;
                    fromSpool = null;
                    continue;
                }
                try {
                    sendingSince = System.nanoTime();
                    sink.send(nextBatch, batch);
                    sendingSince = 0;
                    nextBatch++;
                    shippedLines += batch.size();
                    batch = null;
                    if (fromSpool != null) commitSpool(fromSpool);
                    fromSpool = null;
                    backoffMs = 0;
                    synchronized (buffer) {
                        failing = false;
                    }
                } catch (LogSink.LeaseLost e) {
                    sendingSince = 0;
                    leaseLost = true;
                    synchronized (buffer) {
                        buffer.clear();
                        bufferedChars = 0;
                        spooling = false;
                        buffer.notifyAll();
                    }
                    return;
                } catch (InterruptedException e) {
                    return;
                } catch (Exception e) {
                    sendingSince = 0;
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

    /** The next lines from the spool (under the buffer's lock); null when it turned out empty (then new lines go to memory again). */
    private Spool.Chunk readSpool() {
        try {
            Spool.Chunk c = spool.read(maxBatchLines, 1_000_000);
            if (c.isEmpty()) {
                spooling = false;
                return null;
            }
            return c;
        } catch (IOException e) {
            LOG.warn("cannot read the log spool {}: {}; its lines are lost", spool.dir(), e.toString());
            try {
                spool.delete();
                spool.close();
            } catch (IOException ignored) {
                // nothing more to lose
            }
            spooling = false;
            return null;
        }
    }

    private static String size(long bytes) {
        return bytes >= 1 << 20 ? (bytes >> 20) + " MiB" : (bytes >> 10) + " KiB";
    }

    private void commitSpool(Spool.Chunk c) {
        synchronized (buffer) {
            try {
                spool.commit(c);
                if (spool.isEmpty()) spooling = false; // caught up: new lines go to memory again
            } catch (IOException e) {
                LOG.warn("cannot update the log spool {}: {}", spool.dir(), e.toString());
            }
            buffer.notifyAll();
        }
    }
}

package io.drover.agent.spool;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.stream.Stream;
import java.util.zip.CRC32;

/**
 * A bounded first-in first-out queue of records on disk: what an agent could not deliver while
 * the controller (or its store) was unreachable, delivered in order once it answers again.
 *
 * <p>Records are appended to segment files {@code seg-<first seq>.spool} in the spool's directory.
 * Each record is {@code [int length][int crc32][long seq][payload]}, the CRC covering the sequence
 * number and the payload, so a record torn by a crash (or a disk that filled mid-write) is
 * recognised and cut off when the spool is {@link #open opened} again. Sequence numbers grow by one
 * per record: a gap between the last delivered record and the next one readable is exactly the
 * number of records dropped.
 *
 * <p>Bounded by {@code maxBytes}: when an append would exceed it, the oldest segments are deleted
 * (the newest records are kept, as with a terminal's scroll-back), and the next {@link #read}
 * reports how many records were lost. Delivery is two-step: {@link #read} returns the oldest
 * records without removing them, {@link #commit} removes them once delivered, so a failed delivery
 * is retried with the same records. Thread-safe.
 */
public final class Spool implements AutoCloseable {
    private static final String PREFIX = "seg-";
    private static final String SUFFIX = ".spool";
    private static final int HEADER = 4 + 4 + 8;
    /** Larger records are refused: a spool holds console lines and small JSON batches, not files. */
    public static final int MAX_RECORD_BYTES = 4 << 20;

    private final Path dir;
    private final long maxBytes;
    private final long segmentBytes;
    private final Deque<Segment> segments = new ArrayDeque<>();
    private DataOutputStream out;
    private long nextSeq = 1;
    /** The first record not yet delivered; records below it that are still on disk are skipped. */
    private long nextToDeliver = 1;
    /** Where the head segment's undelivered records start. */
    private long headOffset;
    private long bytes;
    private long droppedTotal;
    private boolean closed;

    /** A segment file: its first sequence number, its size and how many records it holds. */
    private static final class Segment {
        final long firstSeq;
        final Path file;
        long size;
        long lastSeq;

        Segment(long firstSeq, Path file) {
            this.firstSeq = firstSeq;
            this.file = file;
            this.lastSeq = firstSeq - 1;
        }
    }

    /**
     * Records read for delivery: pass it to {@link #commit} once they are delivered.
     *
     * @param records the payloads, oldest first
     * @param dropped records lost (evicted while the spool was full, or unreadable) just before the first of these
     */
    public record Chunk(List<byte[]> records, long dropped, long lastSeq, long endSegmentSeq, long endOffset) {
        public boolean isEmpty() {
            return records.isEmpty() && dropped == 0;
        }
    }

    private Spool(Path dir, long maxBytes) {
        this.dir = dir;
        this.maxBytes = maxBytes;
        // eight segments or so: eviction frees an eighth of the spool at a time
        this.segmentBytes = Math.max(64 * 1024, maxBytes / 8);
    }

    /**
     * Opens the spool in {@code dir} (created if missing), keeping the intact records of an earlier
     * run: a torn last record is cut off, and a segment with a damaged record keeps what precedes it.
     */
    public static Spool open(Path dir, long maxBytes) throws IOException {
        if (maxBytes < 64 * 1024) throw new IllegalArgumentException("a spool needs at least 64 KiB, got " + maxBytes + " bytes");
        Files.createDirectories(dir);
        Spool s = new Spool(dir, maxBytes);
        s.recover();
        return s;
    }

    /** Opens an empty spool in {@code dir}: whatever an earlier run left there is deleted. */
    public static Spool fresh(Path dir, long maxBytes) throws IOException {
        deleteTree(dir);
        return open(dir, maxBytes);
    }

    private void recover() throws IOException {
        List<Path> files;
        try (Stream<Path> l = Files.list(dir)) {
            files = l.filter(p -> p.getFileName().toString().matches(PREFIX + "\\d{20}" + SUFFIX)).sorted().toList();
        }
        for (Path f : files) {
            String n = f.getFileName().toString();
            Segment seg = new Segment(Long.parseLong(n.substring(PREFIX.length(), n.length() - SUFFIX.length())), f);
            long valid = 0;
            try (DataInputStream in = new DataInputStream(new BufferedInputStream(Files.newInputStream(f)))) {
                Rec r;
                while ((r = readRecord(in)) != null) {
                    if (r.seq <= seg.lastSeq) break; // out of order: treat as damage
                    seg.lastSeq = r.seq;
                    valid += HEADER + r.payload.length;
                }
            }
            if (valid < Files.size(f)) {
                try (FileChannel ch = FileChannel.open(f, StandardOpenOption.WRITE)) {
                    ch.truncate(valid); // the torn or damaged tail
                }
            }
            if (seg.lastSeq < seg.firstSeq) {
                Files.deleteIfExists(f);
                continue;
            }
            seg.size = valid;
            segments.add(seg);
            bytes += valid;
        }
        if (!segments.isEmpty()) {
            nextToDeliver = segments.peekFirst().firstSeq;
            nextSeq = segments.peekLast().lastSeq + 1;
        }
    }

    /** Appends one record; evicts the oldest segments when the spool would grow past its bound. */
    public synchronized void append(byte[] payload) throws IOException {
        if (closed) throw new IOException("spool " + dir + " is closed");
        if (payload.length > MAX_RECORD_BYTES) throw new IOException("record of " + payload.length + " bytes is too large for the spool");
        Segment tail = segments.peekLast();
        if (tail == null || out == null || tail.size >= segmentBytes) tail = roll();
        long seq = nextSeq;
        CRC32 crc = new CRC32();
        crc.update(ByteBuffer.allocate(8).putLong(seq).array());
        crc.update(payload);
        out.writeInt(payload.length);
        out.writeInt((int) crc.getValue());
        out.writeLong(seq);
        out.write(payload);
        nextSeq++;
        tail.lastSeq = seq;
        tail.size += HEADER + payload.length;
        bytes += HEADER + payload.length;
        while (bytes > maxBytes && segments.size() > 1) evictOldest();
    }

    private Segment roll() throws IOException {
        if (out != null) out.close();
        Segment s = new Segment(nextSeq, dir.resolve(String.format("%s%020d%s", PREFIX, nextSeq, SUFFIX)));
        out = new DataOutputStream(new BufferedOutputStream(Files.newOutputStream(s.file,
                StandardOpenOption.CREATE, StandardOpenOption.APPEND), 64 * 1024));
        segments.add(s);
        return s;
    }

    private void evictOldest() throws IOException {
        Segment head = segments.pollFirst();
        long lost = head.lastSeq - Math.max(head.firstSeq, nextToDeliver) + 1;
        if (lost > 0) droppedTotal += lost;
        headOffset = 0;
        bytes -= head.size;
        Files.deleteIfExists(head.file);
    }

    /**
     * The oldest undelivered records, at most {@code maxRecords} and about {@code maxPayloadBytes}
     * (always at least one). Nothing is removed until {@link #commit}.
     */
    public synchronized Chunk read(int maxRecords, long maxPayloadBytes) throws IOException {
        if (out != null) out.flush();
        List<byte[]> records = new ArrayList<>();
        long firstSeq = -1;
        long lastSeq = nextToDeliver - 1;
        long endSeg = -1;
        long endOffset = 0;
        long payloadBytes = 0;
        boolean first = true;
        outer:
        for (Segment seg : segments) {
            long offset = first ? headOffset : 0;
            first = false;
            if (seg.lastSeq < nextToDeliver) continue;
            try (InputStream raw = Files.newInputStream(seg.file)) {
                raw.skipNBytes(offset);
                DataInputStream in = new DataInputStream(new BufferedInputStream(raw, 64 * 1024));
                Rec r;
                while (offset < seg.size && (r = readRecord(in)) != null) {
                    offset += HEADER + r.payload.length;
                    if (r.seq < nextToDeliver) continue;
                    if (records.size() >= maxRecords || (!records.isEmpty() && payloadBytes + r.payload.length > maxPayloadBytes)) {
                        break outer;
                    }
                    if (firstSeq < 0) firstSeq = r.seq;
                    records.add(r.payload);
                    payloadBytes += r.payload.length;
                    lastSeq = r.seq;
                    endSeg = seg.firstSeq;
                    endOffset = offset;
                }
            }
            if (records.isEmpty()) {
                // nothing readable in this segment after all (damaged): what it held counts as dropped
                lastSeq = Math.max(lastSeq, seg.lastSeq);
                endSeg = seg.firstSeq;
                endOffset = seg.size;
            } else if (records.size() >= maxRecords) {
                break;
            }
        }
        long dropped = (firstSeq < 0 ? lastSeq + 1 : firstSeq) - nextToDeliver;
        return new Chunk(List.copyOf(records), Math.max(0, dropped), lastSeq, endSeg, endOffset);
    }

    /** Removes what {@code chunk} read: it was delivered. Segments read to their end are deleted. */
    public synchronized void commit(Chunk chunk) throws IOException {
        if (chunk.lastSeq() < nextToDeliver) return;
        nextToDeliver = chunk.lastSeq() + 1;
        while (!segments.isEmpty()) {
            Segment head = segments.peekFirst();
            if (head.firstSeq < chunk.endSegmentSeq() || (head.lastSeq < nextToDeliver && head != segments.peekLast())) {
                segments.pollFirst();
                bytes -= head.size;
                headOffset = 0;
                Files.deleteIfExists(head.file);
            } else {
                if (head.firstSeq == chunk.endSegmentSeq()) headOffset = chunk.endOffset();
                break;
            }
        }
        if (isEmpty() && segments.size() == 1 && out != null) {
            // everything delivered: start the next outage with an empty file
            out.close();
            out = null;
            Segment only = segments.pollFirst();
            bytes -= only.size;
            headOffset = 0;
            Files.deleteIfExists(only.file);
        }
    }

    /** Records appended and not yet delivered (dropped ones excluded). */
    public synchronized long pending() {
        Segment head = segments.peekFirst();
        if (head == null) return 0;
        return nextSeq - Math.max(nextToDeliver, head.firstSeq);
    }

    public synchronized boolean isEmpty() {
        return pending() == 0;
    }

    /** Bytes on disk. */
    public synchronized long bytes() {
        return bytes;
    }

    /** Records lost to eviction since the spool was opened. */
    public synchronized long droppedTotal() {
        return droppedTotal;
    }

    public Path dir() {
        return dir;
    }

    public long maxBytes() {
        return maxBytes;
    }

    /** Closes the files; what is on disk stays (see {@link #delete}). */
    @Override
    public synchronized void close() {
        closed = true;
        try {
            if (out != null) out.close();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } finally {
            out = null;
        }
    }

    /** Closes the spool and deletes its directory. */
    public synchronized void delete() throws IOException {
        close();
        segments.clear();
        bytes = 0;
        deleteTree(dir);
    }

    private record Rec(long seq, byte[] payload) {}

    /** The next intact record, or null at the end or at a torn or damaged record. */
    private static Rec readRecord(DataInputStream in) throws IOException {
        try {
            int len = in.readInt();
            if (len < 0 || len > MAX_RECORD_BYTES) return null;
            int crc = in.readInt();
            long seq = in.readLong();
            byte[] payload = in.readNBytes(len);
            if (payload.length < len) return null;
            CRC32 c = new CRC32();
            c.update(ByteBuffer.allocate(8).putLong(seq).array());
            c.update(payload);
            if ((int) c.getValue() != crc) return null;
            return new Rec(seq, payload);
        } catch (EOFException e) {
            return null;
        }
    }

    /** Deletes {@code dir} and everything in it (nothing when it is missing). */
    public static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir)) return;
        try (Stream<Path> w = Files.walk(dir)) {
            for (Path p : w.sorted(java.util.Comparator.reverseOrder()).toList()) Files.deleteIfExists(p);
        }
    }
}

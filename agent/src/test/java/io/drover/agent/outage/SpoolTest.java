package io.drover.agent.outage;

import static org.assertj.core.api.Assertions.assertThat;

import io.drover.agent.capture.LogLine;
import io.drover.agent.capture.LogShipper;
import io.drover.agent.capture.LogSink;
import io.drover.agent.capture.SecretMask;
import io.drover.agent.spool.Spool;
import io.drover.agent.spool.SpooledLines;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The on-disk spool: order, retry of an undelivered read, the bound (the oldest go, counted
 * exactly), a file format that survives a torn write; and the log shipper spilling to it while
 * the controller is unreachable, then delivering everything in order once it answers.
 */
class SpoolTest {
    @TempDir
    Path tmp;

    private static byte[] rec(int i) {
        return ("record " + i).getBytes(StandardCharsets.UTF_8);
    }

    private static int num(byte[] r) {
        return Integer.parseInt(new String(r, StandardCharsets.UTF_8).substring("record ".length()));
    }

    @Test
    void deliversInOrderAndKeepsWhatWasNotCommitted() throws Exception {
        try (Spool s = Spool.open(tmp.resolve("s"), 1 << 20)) {
            for (int i = 1; i <= 1000; i++) s.append(rec(i));
            assertThat(s.pending()).isEqualTo(1000);
            Spool.Chunk first = s.read(100, 1 << 20);
            Spool.Chunk again = s.read(100, 1 << 20);
            assertThat(again.records().stream().map(SpoolTest::num).toList())
                    .as("a read that was not committed (delivery failed) gives the same records again")
                    .isEqualTo(first.records().stream().map(SpoolTest::num).toList());
            List<Integer> got = new ArrayList<>();
            Spool.Chunk c;
            while (!(c = s.read(100, 1 << 20)).isEmpty()) {
                assertThat(c.dropped()).isZero();
                c.records().forEach(r -> got.add(num(r)));
                s.commit(c);
                if (got.size() == 500) for (int i = 1001; i <= 1200; i++) s.append(rec(i)); // appends while delivering
            }
            assertThat(got).hasSize(1200);
            for (int i = 0; i < got.size(); i++) assertThat(got.get(i)).isEqualTo(i + 1);
            assertThat(s.isEmpty()).isTrue();
            assertThat(s.bytes()).isZero();
            try (Stream<Path> files = Files.list(tmp.resolve("s"))) {
                assertThat(files.toList()).as("a delivered spool leaves no file").isEmpty();
            }
        }
    }

    @Test
    void aFullSpoolDropsTheOldestAndCountsThem() throws Exception {
        long max = 256 * 1024;
        try (Spool s = Spool.open(tmp.resolve("s"), max)) {
            int n = 20_000; // ~ 500 KB of records: about half must go
            for (int i = 1; i <= n; i++) {
                s.append(rec(i));
                assertThat(s.bytes()).isLessThanOrEqualTo(max + 64);
            }
            List<Integer> got = new ArrayList<>();
            long dropped = 0;
            Spool.Chunk c;
            while (!(c = s.read(1000, 1 << 20)).isEmpty()) {
                if (c.dropped() > 0) assertThat(got).as("drops are reported before the first record kept").isEmpty();
                dropped += c.dropped();
                c.records().forEach(r -> got.add(num(r)));
                s.commit(c);
            }
            assertThat(dropped).isGreaterThan(n / 3);
            assertThat(dropped + got.size()).as("every record is delivered or counted as dropped").isEqualTo(n);
            assertThat(got.get(got.size() - 1)).as("the newest are kept").isEqualTo(n);
            assertThat(got.get(0)).isEqualTo((int) dropped + 1);
            for (int i = 1; i < got.size(); i++) assertThat(got.get(i)).isEqualTo(got.get(i - 1) + 1);
            assertThat(s.droppedTotal()).isEqualTo(dropped);
        }
    }

    @Test
    void aTornOrDamagedRecordIsCutOffWhenTheSpoolIsOpenedAgain() throws Exception {
        Path dir = tmp.resolve("s");
        try (Spool s = Spool.open(dir, 1 << 20)) {
            for (int i = 1; i <= 100; i++) s.append(rec(i));
        }
        Path seg;
        try (Stream<Path> files = Files.list(dir)) {
            seg = files.findFirst().orElseThrow();
        }
        long size = Files.size(seg);
        try (RandomAccessFile f = new RandomAccessFile(seg.toFile(), "rw")) {
            f.setLength(size - 3); // a crash in the middle of the last record
        }
        try (Spool s = Spool.open(dir, 1 << 20)) {
            assertThat(s.pending()).isEqualTo(99);
            s.append(rec(1000)); // appends go on after the intact records
            Spool.Chunk c = s.read(1000, 1 << 20);
            List<Integer> got = c.records().stream().map(SpoolTest::num).toList();
            assertThat(got).hasSize(100).startsWith(1, 2, 3).endsWith(98, 99, 1000);
        }
        // a flipped byte inside record 50: the CRC catches it, what precedes it is kept
        try (Spool s = Spool.fresh(dir, 1 << 20)) {
            for (int i = 1; i <= 100; i++) s.append(rec(i));
        }
        try (Stream<Path> files = Files.list(dir)) {
            seg = files.findFirst().orElseThrow();
        }
        byte[] bytes = Files.readAllBytes(seg);
        int at = indexOf(bytes, "record 50".getBytes(StandardCharsets.UTF_8));
        bytes[at + 2] ^= 0x20;
        Files.write(seg, bytes);
        try (Spool s = Spool.open(dir, 1 << 20)) {
            assertThat(s.read(1000, 1 << 20).records().stream().map(SpoolTest::num).toList())
                    .hasSize(49).endsWith(49);
        }
    }

    private static int indexOf(byte[] hay, byte[] needle) {
        outer:
        for (int i = 0; i + needle.length <= hay.length; i++) {
            for (int j = 0; j < needle.length; j++) if (hay[i + j] != needle[j]) continue outer;
            return i;
        }
        throw new AssertionError("not found");
    }

    @Test
    void linesSurviveTheRoundTrip() {
        LogLine l = new LogLine(Instant.parse("2026-11-26T12:00:00.123456789Z"), "stderr", "héllo\tworld ✓");
        assertThat(SpooledLines.decode(SpooledLines.encode(l))).isEqualTo(l);
        LogLine o = new LogLine(Instant.EPOCH, "stdout", "");
        assertThat(SpooledLines.decode(SpooledLines.encode(o))).isEqualTo(o);
    }

    /** A controller that refuses everything until {@link #up} is set, then stores each batch number once. */
    static final class FlakySink implements LogSink {
        volatile boolean up;
        final List<LogLine> stored = Collections.synchronizedList(new ArrayList<>());
        private final java.util.Set<Long> seen = java.util.concurrent.ConcurrentHashMap.newKeySet();

        @Override
        public void send(long batch, List<LogLine> lines) throws Exception {
            if (!up) throw new IOException("connection refused");
            if (seen.add(batch)) stored.addAll(lines);
        }
    }

    @Test
    void theShipperSpillsToDiskWithoutBlockingAndDeliversInOrderAfterwards() throws Exception {
        FlakySink sink = new FlakySink();
        Spool spool = Spool.fresh(tmp.resolve("task"), 256L << 20);
        LogShipper shipper = new LogShipper(sink, "t", 1_000, 2_000, Duration.ofMillis(20), SecretMask.NONE, spool);
        int n = 200_000;
        long t0 = System.nanoTime();
        for (int i = 0; i < n; i++) shipper.add(LogLine.stdout("line " + i + " of the task's output, about sixty characters"));
        double addSeconds = (System.nanoTime() - t0) / 1e9;
        assertThat(addSeconds).as("the task is never held up by an unreachable controller").isLessThan(15);
        assertThat(shipper.spooledLines()).as("all but what fits in memory (the buffer, a batch in flight)").isGreaterThan(n - 2_001);
        assertThat(spool.bytes()).isPositive();

        sink.up = true;
        long t1 = System.nanoTime();
        shipper.closeDelivering(() -> false);
        double deliverSeconds = (System.nanoTime() - t1) / 1e9;
        List<LogLine> got = List.copyOf(sink.stored);
        assertThat(got).hasSize(n);
        for (int i = 0; i < n; i++) {
            if (!got.get(i).text().startsWith("line " + i + " ")) {
                throw new AssertionError("line " + i + " is out of order: " + got.get(i).text());
            }
        }
        assertThat(Files.exists(tmp.resolve("task"))).as("the spool is deleted with the shipper").isFalse();
        System.out.printf("spool: %d lines spilled in %.2f s (%.0f lines/s), delivered from disk in %.2f s (%.0f lines/s)%n",
                n, addSeconds, n / addSeconds, deliverSeconds, n / deliverSeconds);
    }

    @Test
    void aFullSpoolSaysHowManyLinesWereDroppedAndKeepsTheNewest() throws Exception {
        FlakySink sink = new FlakySink();
        Spool spool = Spool.fresh(tmp.resolve("task"), 256 * 1024);
        LogShipper shipper = new LogShipper(sink, "t", 100, 2_000, Duration.ofMillis(20), SecretMask.NONE, spool);
        int n = 50_000; // ~ 3 MB of records through a 256 KiB spool
        for (int i = 0; i < n; i++) shipper.add(LogLine.stdout("line " + i));
        sink.up = true;
        shipper.closeDelivering(() -> false);
        List<String> texts = sink.stored.stream().map(LogLine::text).toList();
        List<String> markers = texts.stream().filter(t -> t.startsWith("[drover] ")).toList();
        assertThat(markers).hasSize(1);
        assertThat(markers.get(0)).matches("\\[drover\\] \\d+ lines dropped: the agent's log spool \\(256 KiB, --spool-max-mb\\) was full "
                + "while the controller was unreachable");
        long dropped = Long.parseLong(markers.get(0).split(" ")[1]);
        List<String> kept = texts.stream().filter(t -> t.startsWith("line ")).toList();
        assertThat(dropped + kept.size()).as("every line is delivered or counted").isEqualTo(n);
        assertThat(kept.get(kept.size() - 1)).isEqualTo("line " + (n - 1));
    }
}

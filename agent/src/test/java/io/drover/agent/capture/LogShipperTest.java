package io.drover.agent.capture;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class LogShipperTest {
    record Sent(long batch, List<String> texts, long atNanos) {}

    @Test
    void aLineLeavesQuicklyAndBatchesAreNumbered() throws Exception {
        List<Sent> sent = Collections.synchronizedList(new ArrayList<>());
        LogShipper s = new LogShipper((b, lines) -> sent.add(new Sent(b, lines.stream().map(LogLine::text).toList(),
                System.nanoTime())), "t");
        long t0 = System.nanoTime();
        s.add(LogLine.stdout("first"));
        while (sent.isEmpty() && System.nanoTime() - t0 < 2e9) Thread.sleep(1);
        assertThat((sent.get(0).atNanos() - t0) / 1e6).as("ms until shipped (requirement: 500)").isLessThan(450);
        for (int i = 0; i < 1000; i++) s.add(LogLine.stdout("l" + i));
        s.close(Duration.ofSeconds(5));
        List<String> all = new ArrayList<>();
        for (int i = 0; i < sent.size(); i++) {
            assertThat(sent.get(i).batch()).isEqualTo(i + 1);
            all.addAll(sent.get(i).texts());
        }
        assertThat(all).hasSize(1001).startsWith("first", "l0").endsWith("l999");
    }

    @Test
    void aFailedBatchIsRetriedWithTheSameNumberAndLines() throws Exception {
        List<Sent> attempts = Collections.synchronizedList(new ArrayList<>());
        AtomicInteger failures = new AtomicInteger(2);
        LogShipper s = new LogShipper((b, lines) -> {
            attempts.add(new Sent(b, lines.stream().map(LogLine::text).toList(), 0));
            if (failures.getAndDecrement() > 0) throw new java.io.IOException("controller down");
        }, "t");
        s.add(LogLine.stdout("a"));
        Thread.sleep(50);
        s.add(LogLine.stdout("b"));
        s.close(Duration.ofSeconds(10));
        assertThat(attempts.get(0).batch()).isEqualTo(1);
        assertThat(attempts.get(1)).isEqualTo(new Sent(1, attempts.get(0).texts(), 0));
        assertThat(attempts.get(2)).isEqualTo(new Sent(1, attempts.get(0).texts(), 0));
        List<String> delivered = new ArrayList<>();
        attempts.stream().skip(2).forEach(a -> delivered.addAll(a.texts()));
        assertThat(delivered).containsExactly("a", "b");
    }

    @Test
    void whenTheControllerStaysAwayLinesAreDroppedAndCounted() throws Exception {
        AtomicInteger down = new AtomicInteger(1);
        List<String> delivered = Collections.synchronizedList(new ArrayList<>());
        LogShipper s = new LogShipper((b, lines) -> {
            if (down.get() == 1) throw new java.io.IOException("down");
            lines.forEach(l -> delivered.add(l.text()));
        }, "t", 100, 50, Duration.ofMillis(200));
        for (int i = 0; i < 350; i++) s.add(LogLine.stdout("x" + i));
        down.set(0);
        Thread.sleep(300);
        s.add(LogLine.stdout("after"));
        s.close(Duration.ofSeconds(10));
        long kept = delivered.stream().filter(t -> t.startsWith("x")).count();
        String marker = "[drover] " + (350 - kept) + " lines dropped";
        assertThat(kept).isBetween(100L, 150L); // the buffer, plus at most the batch that was in flight
        assertThat(delivered).contains("x0", "after", marker).hasSize((int) kept + 2);
        assertThat(delivered.indexOf(marker)).isLessThan(delivered.indexOf("after"));
    }

    @Test
    void aBurstFasterThanTheControllerIsSlowedDownNotDropped() throws Exception {
        List<String> delivered = Collections.synchronizedList(new ArrayList<>());
        // a slow controller (20 ms a batch) and a small buffer: 30,000 lines printed at once
        LogShipper s = new LogShipper((b, lines) -> {
            Thread.sleep(20);
            lines.forEach(l -> delivered.add(l.text()));
        }, "t", 1_000, 500, Duration.ofMillis(50));
        for (int i = 0; i < 30_000; i++) s.add(LogLine.stdout("b" + i));
        s.close(Duration.ofSeconds(5));
        assertThat(delivered).hasSize(30_000).startsWith("b0").endsWith("b29999");
        assertThat(delivered).noneMatch(t -> t.contains("lines dropped"));
    }

    @Test
    void closeDeliversALargeBacklogWhileItMakesProgress() throws Exception {
        List<String> delivered = Collections.synchronizedList(new ArrayList<>());
        // 40 batches of 50 ms each = 2 s of sending, with a close timeout of 300 ms of no progress
        LogShipper s = new LogShipper((b, lines) -> {
            Thread.sleep(50);
            lines.forEach(l -> delivered.add(l.text()));
        }, "t", 20_000, 100, Duration.ofMillis(50));
        for (int i = 0; i < 4_000; i++) s.add(LogLine.stdout("c" + i));
        s.close(Duration.ofMillis(300));
        assertThat(delivered).hasSize(4_000).endsWith("c3999");
    }

    @Test
    void aLostLeaseStopsShipping() throws Exception {
        AtomicInteger calls = new AtomicInteger();
        LogShipper s = new LogShipper((b, lines) -> {
            calls.incrementAndGet();
            throw new LogSink.LeaseLost("stale");
        }, "t");
        s.add(LogLine.stdout("a"));
        Thread.sleep(200);
        s.add(LogLine.stdout("b"));
        s.close(Duration.ofSeconds(2));
        assertThat(s.leaseLost()).isTrue();
        assertThat(calls.get()).isEqualTo(1);
    }
}

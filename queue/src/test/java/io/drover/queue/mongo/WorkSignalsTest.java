package io.drover.queue.mongo;

import io.drover.queue.TaskQueue.Fit;
import io.drover.queue.TaskQueue.QueueEntry;
import io.drover.queue.TaskQueue.WorkTurn;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The wake-up hand-over on its own: which waiters a signal wakes, and when a wake-up is passed on.
 * "Claimable" is a set the test controls, standing in for the queue's view.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class WorkSignalsTest {
    private static final Duration LONG = Duration.ofSeconds(20);
    private static final AtomicLong SEQ = new AtomicLong();

    private final Set<QueueEntry> claimable = ConcurrentHashMap.newKeySet();
    private final WorkSignals signals = new WorkSignals(claimable::contains, Duration.ofMillis(300));

    @AfterEach
    void close() {
        signals.close();
    }

    private static QueueEntry entry(String queue, int gpus) {
        return new QueueEntry("t" + SEQ.incrementAndGet(), queue, 0, SEQ.get(), Instant.now(), gpus);
    }

    /** A queued entry, signalled as an enqueue would. */
    private QueueEntry enqueue(String queue, int gpus) {
        QueueEntry e = entry(queue, gpus);
        claimable.add(e);
        signals.signal(e);
        return e;
    }

    private CompletableFuture<WorkTurn> turn(Fit fit, String... queues) {
        return signals.awaitTurn(List.of(queues), fit, LONG, () -> false);
    }

    private List<CompletableFuture<WorkTurn>> turns(int n, String... queues) {
        List<CompletableFuture<WorkTurn>> out = new ArrayList<>();
        for (int i = 0; i < n; i++) out.add(turn(Fit.ANY, queues));
        return out;
    }

    private static WorkTurn woken(CompletableFuture<WorkTurn> f) throws Exception {
        return f.get(2, TimeUnit.SECONDS);
    }

    /** Lets the timer thread run whatever completions are due, then counts the woken ones. */
    private static long settledCount(List<CompletableFuture<WorkTurn>> fs) throws InterruptedException {
        Thread.sleep(150);
        return fs.stream().filter(CompletableFuture::isDone).count();
    }

    @Test
    void kEntriesWakeTheKLongestWaitingOfNTurns() throws Exception {
        List<CompletableFuture<WorkTurn>> ts = turns(20, "q");
        // claimed at once by the woken turns (not claimable any more), so the hold limit hands nothing on
        signals.signal(entry("q", 0));
        signals.signal(entry("q", 0));
        signals.signal(entry("q", 0));
        for (int i = 0; i < 3; i++) woken(ts.get(i)); // the first three to wait (FIFO)
        assertThat(settledCount(ts)).as("3 entries wake 3 of 20 turns, not all").isEqualTo(3);
        assertThat(ts.subList(0, 3)).as("the first three to wait (FIFO)").allMatch(CompletableFuture::isDone);
        assertThat(signals.sleepingTurns("q")).isEqualTo(17);
        signals.signal(entry("q", 0));
        woken(ts.get(3));
        assertThat(settledCount(ts)).isEqualTo(4);
    }

    @Test
    void aWakeUpNotUsedIsHandedToTheNextTurnAndDroppedOnceItsEntryIsTaken() throws Exception {
        List<CompletableFuture<WorkTurn>> ts = turns(3, "q");
        QueueEntry e = enqueue("q", 0);
        WorkTurn first = woken(ts.get(0));
        assertThat(settledCount(ts)).isEqualTo(1);

        first.done(); // claimed nothing (say its agent hung up): the entry is still claimable
        WorkTurn second = woken(ts.get(1));
        first.done(); // idempotent: no second hand-over
        assertThat(settledCount(ts)).isEqualTo(2);

        claimable.remove(e); // someone claimed it
        second.done();
        assertThat(settledCount(ts)).as("a wake-up whose entry is gone is not passed on").isEqualTo(2);
    }

    @Test
    void aTurnWhoseFitDoesNotAdmitTheEntryIsSkippedAndNeverHoldsItsWakeUp() throws Exception {
        CompletableFuture<WorkTurn> cpuOnly = turn(Fit.upTo(0), "q");
        CompletableFuture<WorkTurn> oneGpu = turn(Fit.upTo(1), "q");
        CompletableFuture<WorkTurn> twoGpus = turn(Fit.upTo(2), "q");
        QueueEntry gpuTask = enqueue("q", 2);
        WorkTurn t = woken(twoGpus);
        assertThat(settledCount(List.of(cpuOnly, oneGpu))).as("turns with fewer free GPUs sleep on").isZero();

        // the 2-GPU turn could not use it: nobody else fits, so nobody is woken for nothing
        t.done();
        assertThat(settledCount(List.of(cpuOnly, oneGpu))).isZero();
        // a later turn that fits gets the entry through its own check of the view (hasWork)
        CompletableFuture<WorkTurn> late = signals.awaitTurn(List.of("q"), Fit.upTo(4), LONG, () -> claimable.contains(gpuTask));
        assertThat(late).isDone();

        enqueue("q", 0);
        woken(cpuOnly);
        assertThat(oneGpu).isNotDone();
    }

    @Test
    void aTurnOnSeveralQueuesIsWokenOnceAndLeavesEveryQueue() throws Exception {
        CompletableFuture<WorkTurn> both = turn(Fit.ANY, "a", "b");
        CompletableFuture<WorkTurn> onlyB = turn(Fit.ANY, "b");
        enqueue("a", 0);
        woken(both);
        assertThat(signals.sleepingTurns("a")).isZero();
        assertThat(signals.sleepingTurns("b")).isEqualTo(1);
        enqueue("b", 0);
        woken(onlyB);
    }

    @Test
    void aTurnThatNeverReportsPassesItsWakeUpOnAfterTheHoldLimit() throws Exception {
        List<CompletableFuture<WorkTurn>> ts = turns(2, "q");
        enqueue("q", 0);
        woken(ts.get(0)); // and never done()
        assertThat(ts.get(1)).isNotDone();
        woken(ts.get(1)); // the 300 ms hold limit of this test
    }

    @Test
    void workAlreadyWaitingOrATimeoutWakesWithoutAWakeUpToPassOn() throws Exception {
        CompletableFuture<WorkTurn> sleeper = turn(Fit.ANY, "q");
        claimable.add(entry("q", 0)); // put into the view before the turn below checks
        CompletableFuture<WorkTurn> atOnce = signals.awaitTurn(List.of("q"), Fit.ANY, LONG, () -> true);
        assertThat(atOnce).isDone();
        atOnce.join().done();
        assertThat(settledCount(List.of(sleeper))).isZero();

        long t0 = System.nanoTime();
        CompletableFuture<WorkTurn> timed = signals.awaitTurn(List.of("other"), Fit.ANY, Duration.ofMillis(200), () -> false);
        timed.get(5, TimeUnit.SECONDS).done();
        assertThat((System.nanoTime() - t0) / 1_000_000).isBetween(180L, 3_000L);
        assertThat(sleeper).isNotDone();
        assertThat(signals.sleepingTurns("other")).isZero();
    }

    @Test
    void watchersWakeOnEveryFittingSignalAndSignalAllWakesEveryone() throws Exception {
        List<CompletableFuture<Void>> watchers = new ArrayList<>();
        for (int i = 0; i < 5; i++) watchers.add(signals.await(List.of("q"), Fit.ANY, LONG, () -> false));
        CompletableFuture<Void> small = signals.await(List.of("q"), Fit.upTo(0), LONG, () -> false);
        List<CompletableFuture<WorkTurn>> ts = turns(3, "q");
        enqueue("q", 1);
        for (CompletableFuture<Void> w : watchers) w.get(2, TimeUnit.SECONDS);
        assertThat(settledCount(ts)).as("turns: one per entry").isEqualTo(1);
        assertThat(small).as("a watcher the entry does not fit").isNotDone();

        signals.signalAll("q"); // which entries is unknown (a reload, another node's bare signal)
        small.get(2, TimeUnit.SECONDS);
        for (CompletableFuture<WorkTurn> t : ts) woken(t);
    }

    @Test
    void closeWakesEveryoneAndLaterWaitsReturnAtOnce() throws Exception {
        List<CompletableFuture<WorkTurn>> ts = turns(3, "q");
        CompletableFuture<Void> w = signals.await(List.of("q"), Fit.ANY, LONG, () -> false);
        signals.close();
        for (CompletableFuture<WorkTurn> t : ts) woken(t).done();
        w.get(2, TimeUnit.SECONDS);
        assertThat(turn(Fit.ANY, "q")).isDone();
        assertThat(signals.await(List.of("q"), Fit.ANY, LONG, () -> false)).isDone();
    }
}

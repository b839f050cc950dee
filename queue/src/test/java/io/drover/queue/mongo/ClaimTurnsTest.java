package io.drover.queue.mongo;

import com.mongodb.client.MongoCollection;
import com.mongodb.client.MongoDatabase;
import io.drover.queue.TaskFields;
import io.drover.queue.TaskQueue.Claim;
import io.drover.queue.TaskQueue.Fit;
import io.drover.queue.TaskQueue.WorkTurn;
import io.drover.queue.TaskQueueContractTest;
import io.drover.queue.testing.EmbeddedMongo;
import org.bson.Document;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@link MongoTaskQueue#awaitTurn} on the embedded store over the real driver: an enqueue wakes
 * one claimer, not all, and no task waits while a claimer it fits sleeps, also when claimers race,
 * fit different GPU counts and serve different queues.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ClaimTurnsTest {
    /** Longer than any test here: a lost wake-up shows as a task left unclaimed, not as a slow claim. */
    private static final Duration POLL = Duration.ofSeconds(40);
    /** How long a round of the stress test may take (it takes milliseconds), and how long a claimer that hung up stays away. */
    private static final Duration ROUND = Duration.ofSeconds(2);
    private static final Duration AWAY = Duration.ofSeconds(3);
    private static final AtomicInteger DB_SEQ = new AtomicInteger();
    private static EmbeddedMongo store;

    private MongoDatabase db;
    private MongoCollection<Document> tasks;
    private MongoTaskQueue queue;

    @BeforeAll
    static void start() {
        store = EmbeddedMongo.memory();
    }

    @AfterAll
    static void stop() {
        if (store != null) store.close();
    }

    @BeforeEach
    void open() {
        db = store.client().getDatabase("claim_turns_" + DB_SEQ.incrementAndGet());
        tasks = db.getCollection(TaskFields.COLLECTION);
        queue = new MongoTaskQueue(db, Duration.ofSeconds(30), Clock.systemUTC());
    }

    @AfterEach
    void close() {
        queue.close();
        db.drop();
    }

    private String enqueue(String q, int gpus) {
        return TaskQueueContractTest.enqueuedNeeding(tasks, queue, q, gpus);
    }

    private static long done(List<? extends CompletableFuture<?>> fs) throws InterruptedException {
        Thread.sleep(200);
        return fs.stream().filter(CompletableFuture::isDone).count();
    }

    @Test
    void threeEnqueuesWakeThreeOfTenWaitingClaimers() throws Exception {
        List<CompletableFuture<WorkTurn>> turns = new ArrayList<>();
        for (int i = 0; i < 10; i++) turns.add(queue.awaitTurn(List.of("q"), Fit.upTo(0), POLL));
        for (int i = 0; i < 3; i++) enqueue("q", 0);
        for (int i = 0; i < 3; i++) turns.get(i).get(2, TimeUnit.SECONDS);
        assertThat(done(turns)).isEqualTo(3);
        assertThat(turns.subList(0, 3)).allMatch(CompletableFuture::isDone);
        // the plain awaitWork keeps its contract: every waiter is woken
        List<CompletableFuture<Void>> plain = new ArrayList<>();
        for (int i = 0; i < 5; i++) plain.add(queue.awaitWork(List.of("p"), Fit.upTo(0), POLL));
        enqueue("p", 0);
        for (CompletableFuture<Void> f : plain) f.get(2, TimeUnit.SECONDS);
    }

    @Test
    void aClaimerThatTakesNothingHandsTheWakeUpToTheNextAndOneThatClaimsDoesNot() throws Exception {
        CompletableFuture<WorkTurn> a = queue.awaitTurn(List.of("q"), Fit.ANY, POLL);
        CompletableFuture<WorkTurn> b = queue.awaitTurn(List.of("q"), Fit.ANY, POLL);
        CompletableFuture<WorkTurn> c = queue.awaitTurn(List.of("q"), Fit.ANY, POLL);
        String id = enqueue("q", 0);
        WorkTurn first = a.get(2, TimeUnit.SECONDS);
        assertThat(done(List.of(b, c))).isZero();
        first.done(); // its agent hung up before claiming: the task is still queued
        WorkTurn second = b.get(2, TimeUnit.SECONDS);
        assertThat(queue.claim("w", List.of("q"), false).orElseThrow().taskId()).isEqualTo(id);
        second.done();
        assertThat(done(List.of(c))).as("nothing left to hand on").isZero();
    }

    @Test
    void aGpuTaskWakesAClaimerWithEnoughFreeGpusEvenBehindCpuOnlyOnes() throws Exception {
        List<CompletableFuture<WorkTurn>> cpu = new ArrayList<>();
        for (int i = 0; i < 5; i++) cpu.add(queue.awaitTurn(List.of("q"), Fit.upTo(0), POLL));
        CompletableFuture<WorkTurn> gpu = queue.awaitTurn(List.of("q"), Fit.upTo(2), POLL);
        enqueue("q", 2);
        gpu.get(2, TimeUnit.SECONDS);
        assertThat(done(cpu)).isZero();
    }

    /**
     * Claimers loop like the claim long-poll (claim; nothing → wait for a turn; claim; report the turn
     * done; two claimers sometimes drop a wake-up unused and go away, as an agent that hung up) while tasks are enqueued in bursts and trickles, across two queues and GPU fits. Each
     * round must be claimed completely well inside the claimers' poll timeout, so a single lost
     * wake-up fails the round; and the wake-ups must stay near one per task, far from one per claimer.
     */
    @Test
    void underRacingClaimersEveryTaskIsClaimedPromptlyAndWakeUpsStayNearOnePerTask() throws Exception {
        record Kind(List<String> queues, Fit fit) {}
        List<Kind> kinds = List.of(
                new Kind(List.of("a", "b"), Fit.upTo(0)),
                new Kind(List.of("b", "a"), Fit.upTo(0)),
                new Kind(List.of("a"), Fit.upTo(2)),
                new Kind(List.of("a", "b"), new Fit(1, 2)));
        int claimers = 12;
        AtomicBoolean stop = new AtomicBoolean();
        AtomicInteger wakeUps = new AtomicInteger();
        Map<String, String> claimedBy = new ConcurrentHashMap<>();
        AtomicInteger duplicates = new AtomicInteger();
        // two CPU-only claimers (of queues a+b and b+a) hang up now and then; the others never do
        Map<String, AtomicInteger> hangUps = new ConcurrentHashMap<>();
        for (int i = 0; i < claimers; i++) hangUps.put("w" + i, new AtomicInteger(i < 2 ? 5 : 0));
        ExecutorService pool = Executors.newFixedThreadPool(claimers);
        try {
            for (int i = 0; i < claimers; i++) {
                String worker = "w" + i;
                Kind k = kinds.get(i % kinds.size());
                pool.submit(() -> {
                    WorkTurn turn = WorkTurn.NONE;
                    while (!stop.get()) {
                        if (turn != WorkTurn.NONE && hangUps.get(worker).get() > 0 && ThreadLocalRandom.current().nextBoolean()) {
                            // woken, but its agent hung up before claiming and is away for longer than a round
                            // may take: the wake-up must go to another claimer
                            hangUps.get(worker).decrementAndGet();
                            turn.done();
                            turn = WorkTurn.NONE;
                            Thread.sleep(AWAY.toMillis());
                            continue;
                        }
                        Optional<Claim> c;
                        try {
                            c = queue.claim(worker, k.queues(), true, k.fit());
                        } finally {
                            turn.done();
                        }
                        if (c.isPresent()) {
                            if (claimedBy.put(c.get().taskId(), worker) != null) duplicates.incrementAndGet();
                            turn = WorkTurn.NONE;
                            continue;
                        }
                        turn = queue.awaitTurn(k.queues(), k.fit(), POLL).get();
                        wakeUps.incrementAndGet();
                    }
                    return null;
                });
            }
            Thread.sleep(200); // let them all fall asleep
            int total = 0;
            ThreadLocalRandom rnd = ThreadLocalRandom.current();
            for (int round = 0; round < 40; round++) {
                int n = 1 + rnd.nextInt(round % 2 == 0 ? 3 : 12);
                List<String> ids = new ArrayList<>();
                for (int i = 0; i < n; i++) {
                    // queue b has no claimer for GPU tasks that fits 0..0 only, but kind 4 takes them there
                    boolean gpu = rnd.nextInt(4) == 0;
                    ids.add(enqueue(rnd.nextBoolean() ? "a" : "b", gpu ? 1 + rnd.nextInt(2) : 0));
                    if (rnd.nextInt(3) == 0) Thread.sleep(rnd.nextInt(3));
                }
                total += n;
                long deadline = System.nanoTime() + ROUND.toNanos();
                while (!claimedBy.keySet().containsAll(ids) && System.nanoTime() < deadline) Thread.sleep(2);
                assertThat(claimedBy.keySet()).as("round %d: every task claimed within %s (a claimer that hung up is away %s, the poll timeout is %s); left: %s",
                        round, ROUND, AWAY, POLL, queue.entries("a") + " " + queue.entries("b")).containsAll(ids);
            }
            assertThat(duplicates).hasValue(0);
            assertThat(claimedBy).hasSize(total);
            // a wake-up for every claimer on every enqueue would be about claimers x tasks
            assertThat(wakeUps.get()).as("wake-ups for %d tasks and %d claimers", total, claimers)
                    .isLessThanOrEqualTo(3 * total);
            System.out.printf("ClaimTurnsTest: %d tasks, %d claimers, %d wake-ups%n", total, claimers, wakeUps.get());
        } finally {
            stop.set(true);
            queue.close(); // wakes the sleepers so the pool can end
            pool.shutdownNow();
            pool.awaitTermination(10, TimeUnit.SECONDS);
        }
    }
}

package io.drover.queue.bench;

import com.mongodb.client.MongoCollection;
import com.mongodb.client.MongoDatabase;
import com.mongodb.client.model.FindOneAndUpdateOptions;
import com.mongodb.client.model.ReturnDocument;
import io.drover.queue.TaskFields;
import io.drover.queue.TaskQueue.Claim;
import io.drover.queue.mongo.MongoTaskQueue;
import io.drover.queue.testing.EmbeddedMongo;
import io.drover.shared.domain.Ids;
import org.bson.Document;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;

/**
 * Claim throughput on the embedded store (H2 backend on a temp MVStore file, as the controller
 * runs it): N queued tasks, 8 threads that each claim a task and complete it at once with a
 * fenced update, until the queue is empty. In the same run, the naive baseline — a sorted pop
 * on the store ({@code findOneAndUpdate} filter status/queue, sort priority desc, queuedSeq asc) —
 * on the same N, time-boxed because it is slow. Prints tasks/s and the ratio.
 *
 * <p>Arguments (all optional): {@code --sizes 1000,10000 --threads 8 --baseline-seconds 10 --backend h2|memory}.
 */
public final class ClaimThroughputBench {
    private static final String QUEUE = "bench";

    record Result(int claimed, double seconds) {
        double perSecond() {
            return claimed / seconds;
        }
    }

    public static void main(String[] args) throws Exception {
        List<Integer> sizes = List.of(1_000, 10_000);
        int threads = 8;
        int baselineSeconds = 10;
        String backend = "h2";
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--sizes" -> sizes = parseSizes(args[++i]);
                case "--threads" -> threads = Integer.parseInt(args[++i]);
                case "--baseline-seconds" -> baselineSeconds = Integer.parseInt(args[++i]);
                case "--backend" -> backend = args[++i];
                default -> throw new IllegalArgumentException("unknown argument '" + args[i]
                        + "'; use --sizes 1000,10000 --threads 8 --baseline-seconds 10 --backend h2|memory");
            }
        }
        Path dir = Files.createTempDirectory("drover-claim-bench");
        System.out.printf(Locale.ROOT, "claim throughput, embedded store (%s backend), %d claimers, claim + complete per task;"
                + " %d cores, load average %.1f%n", backend, threads, Runtime.getRuntime().availableProcessors(),
                java.lang.management.ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
        System.out.printf(Locale.ROOT, "%8s  %14s  %18s  %7s%n", "queued", "drover tasks/s", "sorted-pop tasks/s", "ratio");
        double at10k = -1;
        try (EmbeddedMongo store = "memory".equals(backend) ? EmbeddedMongo.memory() : EmbeddedMongo.h2(dir.resolve("bench.mv"))) {
            // Untimed warm-up of both paths, so the first measured size does not pay for JIT compilation.
            runViewClaims(store.client().getDatabase("bench_warmup_a"), 1_000, threads);
            runSortedPop(store.client().getDatabase("bench_warmup_b"), 200, threads, Duration.ofSeconds(2));
            store.client().getDatabase("bench_warmup_a").drop();
            store.client().getDatabase("bench_warmup_b").drop();
            int run = 0;
            for (int n : sizes) {
                MongoDatabase db = store.client().getDatabase("bench_" + (run++));
                Result ours = runViewClaims(db, n, threads);
                db.drop();
                db = store.client().getDatabase("bench_" + (run++));
                Result naive = runSortedPop(db, n, threads, Duration.ofSeconds(baselineSeconds));
                db.drop();
                System.out.printf(Locale.ROOT, "%8d  %14.0f  %18.1f  %6.1fx   (%d claimed in %.2f s; baseline %d in %.2f s)%n",
                        n, ours.perSecond(), naive.perSecond(), ours.perSecond() / naive.perSecond(),
                        ours.claimed(), ours.seconds(), naive.claimed(), naive.seconds());
                if (n == 10_000) at10k = ours.perSecond();
            }
        } finally {
            deleteQuietly(dir);
        }
        if (at10k >= 0) {
            System.out.printf(Locale.ROOT, "target >= 500 tasks/s at 10,000 queued: %s%n", at10k >= 500 ? "met" : "NOT met");
        }
    }

    /** Drover's path: MongoTaskQueue claim (view + CAS by _id), then a fenced completion. */
    static Result runViewClaims(MongoDatabase db, int n, int threads) throws Exception {
        MongoCollection<Document> tasks = db.getCollection(TaskFields.COLLECTION);
        insertQueued(tasks, n);
        try (MongoTaskQueue queue = new MongoTaskQueue(db, Duration.ofSeconds(30), Clock.systemUTC())) {
            return race(threads, n, Duration.ofMinutes(5), worker -> {
                Optional<Claim> c = queue.claim(worker, List.of(QUEUE), false);
                if (c.isEmpty()) return null;
                complete(tasks, c.get().taskId(), c.get().epoch());
                return c.get().taskId();
            });
        }
    }

    /** The naive baseline: let the store sort the queued tasks on every claim. */
    static Result runSortedPop(MongoDatabase db, int n, int threads, Duration budget) throws Exception {
        MongoCollection<Document> tasks = db.getCollection(TaskFields.COLLECTION);
        insertQueued(tasks, n);
        Document filter = new Document(TaskFields.STATUS, "queued").append(TaskFields.QUEUE, QUEUE);
        FindOneAndUpdateOptions opts = new FindOneAndUpdateOptions()
                .sort(new Document(TaskFields.PRIORITY, -1).append(TaskFields.QUEUED_SEQ, 1))
                .projection(new Document(TaskFields.EPOCH, 1))
                .returnDocument(ReturnDocument.AFTER);
        return race(threads, n, budget, worker -> {
            Document d = tasks.findOneAndUpdate(filter, new Document("$set", new Document(TaskFields.STATUS, "running")
                    .append(TaskFields.WORKER, worker)).append("$inc", new Document(TaskFields.EPOCH, 1L)), opts);
            if (d == null) return null;
            String id = d.getString(TaskFields.ID);
            complete(tasks, id, d.get(TaskFields.EPOCH, Number.class).longValue());
            return id;
        });
    }

    /** Runs claimers until the queue is empty or the budget is spent; fails on a double claim. */
    private static Result race(int threads, int n, Duration budget, Function<String, String> claimAndFinish) throws Exception {
        Set<String> seen = ConcurrentHashMap.newKeySet();
        AtomicLong doubles = new AtomicLong();
        CountDownLatch start = new CountDownLatch(1);
        long deadline = System.nanoTime() + budget.toNanos();
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        List<Future<?>> futures = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            String worker = "bench-" + t;
            futures.add(pool.submit(() -> {
                start.await();
                while (System.nanoTime() < deadline) {
                    String id = claimAndFinish.apply(worker);
                    if (id == null) break;
                    if (!seen.add(id)) doubles.incrementAndGet();
                }
                return null;
            }));
        }
        long t0 = System.nanoTime();
        start.countDown();
        for (Future<?> f : futures) f.get();
        double seconds = (System.nanoTime() - t0) / 1e9;
        pool.shutdown();
        if (doubles.get() > 0) throw new IllegalStateException(doubles.get() + " tasks were claimed twice");
        return new Result(seen.size(), seconds);
    }

    private static void complete(MongoCollection<Document> tasks, String id, long epoch) {
        long matched = tasks.updateOne(TaskFields.fence(id, epoch), new Document("$set",
                new Document(TaskFields.STATUS, "completed").append(TaskFields.LEASE, null)
                        .append(TaskFields.FINISHED_AT, new Date()))).getMatchedCount();
        if (matched != 1) throw new IllegalStateException("fenced completion of " + id + " matched " + matched);
    }

    static void insertQueued(MongoCollection<Document> tasks, int n) {
        List<Document> batch = new ArrayList<>();
        Date now = new Date();
        for (int i = 0; i < n; i++) {
            batch.add(new Document(TaskFields.ID, Ids.newId()).append("name", "bench-" + i)
                    .append(TaskFields.STATUS, "queued").append(TaskFields.QUEUE, QUEUE)
                    .append(TaskFields.PRIORITY, i % 3).append(TaskFields.QUEUED_SEQ, (long) i + 1)
                    .append(TaskFields.QUEUED_AT, now).append(TaskFields.EPOCH, 0L)
                    .append(TaskFields.EXECUTION, new Document("attempt", 0))
                    .append("params", new Document("lr", "0.5").append("epochs", "3")));
            if (batch.size() == 1000) {
                tasks.insertMany(batch);
                batch = new ArrayList<>();
            }
        }
        if (!batch.isEmpty()) tasks.insertMany(batch);
    }

    private static List<Integer> parseSizes(String s) {
        List<Integer> out = new ArrayList<>();
        for (String p : s.split(",")) out.add(Integer.parseInt(p.trim()));
        return out;
    }

    private static void deleteQuietly(Path dir) {
        try (var walk = Files.walk(dir)) {
            walk.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (Exception ignored) {
            // a temp dir left behind is harmless
        }
    }
}

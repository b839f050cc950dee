package io.drover.controller.tasks.bench;

import com.mongodb.client.MongoCollection;
import com.mongodb.client.model.Filters;
import com.mongodb.client.model.Sorts;
import io.drover.controller.Controller;
import io.drover.controller.config.ControllerConfig;
import io.drover.controller.tasks.TaskIndex;
import io.drover.queue.TaskFields;
import io.drover.shared.json.Json;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Date;
import java.util.List;
import java.util.Random;
import java.util.function.Supplier;
import org.bson.Document;
import org.bson.conversions.Bson;

/**
 * The experiments table's first page with N tasks (default 100,000) in the embedded store (H2
 * file, like production), in one run:
 * <ol>
 *   <li>N task documents of the real shape (params, tags, two metric series, script, execution)
 *   bulk-inserted straight into the store, then a controller started on it (its start loads the
 *   listing index: the load time is printed), and the index's memory per task;</li>
 *   <li>{@code GET /api/v1/tasks?limit=50} over HTTP for three tables: the default sort (newest
 *   first), filtered by project and status, and sorted by a metric's last value; p50/p95 of 30
 *   after 2 warm-ups;</li>
 *   <li>the peer: the plain store query for each ({@code find(filter).sort(…).limit(50)} on the
 *   tasks collection), p50/p95 of 7 (each is a full scan and sort), and the ratio HTTP p50 / store p50.</li>
 * </ol>
 * {@code scripts/bench/experiments-table.sh [--tasks 100000] [--runs 30]}
 */
public final class ExperimentsTableBench {
    static final int PEER_RUNS = 7;
    static final String[] STATUSES = {"created", "queued", "running", "completed", "failed", "aborted"};

    public static void main(String[] args) throws Exception {
        int n = 100_000;
        int runs = 30;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--tasks" -> n = Integer.parseInt(args[++i]);
                case "--runs" -> runs = Integer.parseInt(args[++i]);
                default -> throw new IllegalArgumentException("unknown option " + args[i] + "; use --tasks N --runs R");
            }
        }
        Path dir = Files.createTempDirectory("drover-table-bench");
        ControllerConfig cfg = ControllerConfig.defaults().withPort(0).withDataDir(dir).withAuth(false);
        try {
            long t0 = System.nanoTime();
            try (Controller c = Controller.start(cfg)) {
                insert(c.services().store().tasks(), n);
            }
            double insertS = (System.nanoTime() - t0) / 1e9;
            long s0 = System.nanoTime();
            try (Controller c = Controller.start(cfg)) {
                double startS = (System.nanoTime() - s0) / 1e9;
                HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
                String base = c.baseUrl() + "/api/v1/tasks?limit=50";
                // the task index loads in the background: the first listing waits for it
                HttpResponse<String> first = http.send(HttpRequest.newBuilder(URI.create(base)).build(), HttpResponse.BodyHandlers.ofString());
                double firstListS = (System.nanoTime() - s0) / 1e9;
                MongoCollection<Document> tasks = c.services().store().tasks();
                System.out.printf("experiments table, embedded store (H2 file), %,d tasks (inserted in %.1f s)%n", n, insertS);
                System.out.printf("  controller start (serving agents): %.1f s; first task listing (HTTP %d) %.1f s after the start began%n",
                        startS, first.statusCode(), firstListS);
                System.out.printf("  index memory: ~%,d bytes per task (heap delta of a second index over the same tasks)%n", bytesPerRow(tasks, n));

                String metric = URLEncoder.encode("metrics.loss/train", StandardCharsets.UTF_8);
                Bson live = Filters.ne("archived", true);
                row("default sort (-createdAt)", runs, http, base,
                        () -> tasks.find(live).sort(Sorts.descending("createdAt", TaskFields.ID)).limit(50).into(new ArrayList<>()));
                row("project=p3&status=completed", runs, http, base + "&project=p3&status=completed",
                        () -> tasks.find(Filters.and(Filters.eq("project", "p3"), Filters.eq("status", "completed"), live))
                                .sort(Sorts.descending("createdAt", TaskFields.ID)).limit(50).into(new ArrayList<>()));
                row("sort=metrics.loss/train", runs, http, base + "&sort=" + metric,
                        () -> tasks.find(live).sort(Sorts.ascending("metrics.loss:train.last", TaskFields.ID)).limit(50).into(new ArrayList<>()));
            }
        } finally {
            deleteTree(dir);
        }
    }

    private static void row(String what, int runs, HttpClient http, String url, Supplier<List<Document>> store) throws Exception {
        HttpRequest req = HttpRequest.newBuilder(URI.create(url)).GET().build();
        int[] items = new int[1];
        long[] api = time(runs, () -> {
            HttpResponse<String> r = http.send(req, HttpResponse.BodyHandlers.ofString());
            if (r.statusCode() != 200) throw new IllegalStateException(url + " → " + r.statusCode() + " " + r.body());
            items[0] = Json.parse(r.body()).path("items").size();
            return null;
        });
        int[] docs = new int[1];
        // the store scans and sorts every task per query (seconds at 100,000): fewer runs keep the bench short
        long[] peer = time(Math.min(runs, PEER_RUNS), () -> {
            docs[0] = store.get().size();
            return null;
        });
        System.out.printf("  %-30s HTTP p50 %6.1f ms  p95 %6.1f ms (%d items) | store find+sort+limit p50 %7.1f ms  p95 %7.1f ms (%d docs) | ratio %.3f%n",
                what, api[0] / 1e6, api[1] / 1e6, items[0], peer[0] / 1e6, peer[1] / 1e6, docs[0], (double) api[0] / peer[0]);
    }

    /** p50 and p95 in ns of {@code runs} calls after 2 warm-ups. */
    private static long[] time(int runs, java.util.concurrent.Callable<Void> call) throws Exception {
        long[] ns = new long[runs];
        for (int i = -2; i < runs; i++) {
            long t = System.nanoTime();
            call.call();
            if (i >= 0) ns[i] = System.nanoTime() - t;
        }
        Arrays.sort(ns);
        return new long[] {ns[runs / 2], ns[Math.min(runs - 1, (int) Math.ceil(runs * 0.95) - 1)]};
    }

    private static long bytesPerRow(MongoCollection<Document> tasks, int n) {
        long before = usedAfterGc();
        TaskIndex second = new TaskIndex(tasks, Runnable::run);
        second.load();
        long after = usedAfterGc();
        if (second.size() != n) throw new IllegalStateException("index has " + second.size() + " rows, expected " + n);
        return (after - before) / n;
    }

    private static long usedAfterGc() {
        Runtime rt = Runtime.getRuntime();
        for (int i = 0; i < 3; i++) {
            System.gc();
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        return rt.totalMemory() - rt.freeMemory();
    }

    /** N tasks of the real document shape, inserted in batches of 1,000. */
    static void insert(MongoCollection<Document> tasks, int n) {
        Random rnd = new Random(42);
        long start = System.currentTimeMillis() - n * 1000L;
        List<Document> batch = new ArrayList<>(1000);
        for (int i = 0; i < n; i++) {
            String id = String.format("%08x%016x", (int) (start / 1000) + i, rnd.nextLong());
            Date at = new Date(start + i * 1000L);
            String status = STATUSES[rnd.nextInt(STATUSES.length)];
            List<Document> params = List.of(new Document("k", "lr").append("v", String.valueOf(Math.pow(10, -1 - rnd.nextInt(4)))),
                    new Document("k", "batch_size").append("v", String.valueOf(16 << rnd.nextInt(4))),
                    new Document("k", "seed").append("v", String.valueOf(rnd.nextInt(1000))),
                    new Document("k", "model").append("v", "resnet" + (18 + 16 * rnd.nextInt(3))),
                    new Document("k", "optimizer").append("v", rnd.nextBoolean() ? "adam" : "sgd"));
            Document metrics = new Document()
                    .append("loss:train", series("loss", "train", rnd.nextDouble()))
                    .append("acc:val", series("acc", "val", rnd.nextDouble()));
            batch.add(new Document(TaskFields.ID, id).append("name", "exp-" + i + (i % 7 == 0 ? "-Sweep" : ""))
                    .append("project", "p" + rnd.nextInt(20)).append(TaskFields.STATUS, status).append(TaskFields.STATUS_REASON, null)
                    .append(TaskFields.QUEUE, rnd.nextBoolean() ? "default" : "gpu").append(TaskFields.PRIORITY, rnd.nextInt(3))
                    .append(TaskFields.RETRIES, 1).append(TaskFields.EPOCH, 0L).append(TaskFields.LEASE, null)
                    .append("tags", i % 3 == 0 ? List.of("baseline") : List.of("sweep", "v" + rnd.nextInt(3)))
                    .append("params", params)
                    .append("script", new Document("repo", "https://example.com/team/models.git").append("branch", "main")
                            .append("commit", null).append("entryPoint", "train.py").append("args", "--epochs 10")
                            .append("workingDir", ".").append("requirements", "requirements.txt").append("hasDiff", false))
                    .append(TaskFields.EXECUTION, new Document("worker", null).append("attempt", 0))
                    .append("captured", new Document()).append("artifacts", List.of()).append("parentId", null)
                    .append("createdAt", at).append(TaskFields.UPDATED_AT, at).append("archived", false)
                    .append("user", "user" + rnd.nextInt(10)).append("metrics", metrics));
            if (batch.size() == 1000) {
                tasks.insertMany(batch);
                batch = new ArrayList<>(1000);
            }
        }
        if (!batch.isEmpty()) tasks.insertMany(batch);
    }

    private static Document series(String m, String v, double last) {
        return new Document("m", m).append("v", v).append("n", 100L).append("last", last).append("min", last / 2)
                .append("max", 1.0).append("iter", 99L).append("ts", System.currentTimeMillis());
    }

    private static void deleteTree(Path dir) throws java.io.IOException {
        try (var s = Files.walk(dir)) {
            s.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }
}

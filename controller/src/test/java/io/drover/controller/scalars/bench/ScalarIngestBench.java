package io.drover.controller.scalars.bench;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.mongodb.client.MongoCollection;
import io.drover.controller.Controller;
import io.drover.controller.config.ControllerConfig;
import io.drover.queue.TaskFields;
import io.drover.shared.domain.Ids;
import io.drover.shared.json.Json;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Date;
import java.util.List;
import org.bson.Document;

/**
 * Scalar ingest and chart query on the embedded store (H2 file, like production), in one run:
 * <ol>
 *   <li>API ingest: N points in batches of B through {@code POST /tasks/{id}/scalars} over HTTP
 *   (bodies built before the clock starts), points/s;</li>
 *   <li>the ceiling: {@code insertMany} of the same N points as one document each into a scratch
 *   collection of the same store, in batches of B, points/s; and the ratio;</li>
 *   <li>chart query: {@code GET /tasks/{id}/scalars/loss?variant=train&maxPoints=2000} on the
 *   N-point series, p50/p95 of 20 queries after 3 warm-ups.</li>
 * </ol>
 * {@code scripts/bench/scalar-ingest.sh [--points 1000000] [--batch 10000]}
 */
public final class ScalarIngestBench {
    public static void main(String[] args) throws Exception {
        int points = 1_000_000;
        int batch = 10_000;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--points" -> points = Integer.parseInt(args[++i]);
                case "--batch" -> batch = Integer.parseInt(args[++i]);
                default -> throw new IllegalArgumentException("unknown option " + args[i] + "; use --points N --batch B");
            }
        }
        Path dir = Files.createTempDirectory("drover-scalar-bench");
        try (Controller c = Controller.start(ControllerConfig.defaults().withPort(0).withDataDir(dir).withAuth(false))) {
            String id = Ids.newId();
            Date now = new Date();
            c.services().store().tasks().insertOne(new Document(TaskFields.ID, id).append("name", "bench").append("project", "default")
                    .append(TaskFields.STATUS, "running").append(TaskFields.QUEUE, "default").append(TaskFields.PRIORITY, 0)
                    .append(TaskFields.EPOCH, 1L).append("createdAt", now).append("updatedAt", now));
            long ts0 = System.currentTimeMillis();
            List<String> bodies = new ArrayList<>();
            for (int from = 0, b = 0; from < points; from += batch, b++) {
                ObjectNode body = Json.object().put("epoch", 1).put("batch", b);
                ArrayNode ps = body.putArray("points");
                for (int i = from; i < Math.min(points, from + batch); i++) {
                    ps.addObject().put("metric", "loss").put("variant", "train").put("iter", i).put("value", value(i)).put("ts", ts0 + i);
                }
                bodies.add(Json.write(body));
            }
            HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
            String base = c.baseUrl() + "/api/v1/tasks/" + id + "/scalars";

            long t0 = System.nanoTime();
            for (String body : bodies) {
                HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(base)).header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
                if (r.statusCode() != 200) throw new IllegalStateException("ingest failed: " + r.statusCode() + " " + r.body());
            }
            double apiSeconds = (System.nanoTime() - t0) / 1e9;
            double apiRate = points / apiSeconds;

            MongoCollection<Document> scratch = c.services().store().db().getCollection("bench_points_" + id);
            long t1 = System.nanoTime();
            for (int from = 0; from < points; from += batch) {
                List<Document> docs = new ArrayList<>(batch);
                for (int i = from; i < Math.min(points, from + batch); i++) {
                    docs.add(new Document("task", id).append("m", "loss").append("v", "train").append("i", (long) i).append("y", value(i))
                            .append("t", ts0 + i));
                }
                scratch.insertMany(docs);
            }
            double rawSeconds = (System.nanoTime() - t1) / 1e9;
            double rawRate = points / rawSeconds;
            scratch.drop();

            String chart = base + "/loss?variant=train&maxPoints=2000";
            long[] ms = new long[20];
            int size = 0;
            for (int i = -3; i < ms.length; i++) {
                long q0 = System.nanoTime();
                HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(chart)).GET().build(), HttpResponse.BodyHandlers.ofString());
                long q = (System.nanoTime() - q0) / 1_000_000;
                if (r.statusCode() != 200) throw new IllegalStateException("chart query failed: " + r.statusCode() + " " + r.body());
                if (i >= 0) ms[i] = q;
                size = r.body().length();
            }
            long[] sorted = ms.clone();
            Arrays.sort(sorted);
            int buckets = Json.parse(http.send(HttpRequest.newBuilder(URI.create(chart)).GET().build(), HttpResponse.BodyHandlers.ofString()).body())
                    .path("buckets").size();

            System.out.printf("scalar ingest, embedded store (H2 file), %,d points in batches of %,d%n", points, batch);
            System.out.printf("  API  POST /scalars : %,10.0f points/s  (%.1f s)%n", apiRate, apiSeconds);
            System.out.printf("  raw  insertMany    : %,10.0f points/s  (%.1f s, one document per point)%n", rawRate, rawSeconds);
            System.out.printf("  ratio API / raw    : %.2f%n", apiRate / rawRate);
            System.out.printf("chart query, %,d-point series, maxPoints=2000 (%d buckets, %,d bytes): p50 %d ms, p95 %d ms, max %d ms (20 queries)%n",
                    points, buckets, size, sorted[9], sorted[18], sorted[19]);
        } finally {
            deleteTree(dir);
        }
    }

    private static double value(int i) {
        return i == 543_210 ? 1e6 : Math.exp(-i / 200_000.0) + (i % 100) / 1000.0;
    }

    private static void deleteTree(Path dir) throws java.io.IOException {
        try (var s = Files.walk(dir)) {
            s.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }
}

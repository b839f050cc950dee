package io.drover.controller.cluster;

import static io.drover.controller.testing.Tasks.task;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import de.bwaldvogel.mongo.MongoServer;
import io.drover.controller.Controller;
import io.drover.controller.config.ClusterConfig;
import io.drover.controller.config.ControllerConfig;
import io.drover.controller.store.CopyOnWriteH2Backend;
import io.drover.controller.testing.Api;
import io.drover.shared.json.Json;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.h2.mvstore.MVStore;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two clustered controllers (two Hazelcast members in this JVM) over one shared store served on a
 * port: what one node does, the other sees at once. The cluster is formed once for the class; the
 * last test closes node A.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ClusteredControllersTest {
    @TempDir
    static Path dir;
    static MongoServer store;
    static Controller a;
    static Controller b;
    static Api apiA;
    static Api apiB;
    static long formedMs;
    static String storeUri;
    static List<String> memberList;
    /** Every node of a cluster needs the same secrets key. */
    static Path sharedKey;
    static final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    @BeforeAll
    static void formCluster() throws Exception {
        sharedKey = dir.resolve("secrets.key");
        store = new MongoServer(new CopyOnWriteH2Backend(new MVStore.Builder().open()));
        store.bind("127.0.0.1", 0);
        InetSocketAddress at = store.getLocalAddress();
        String uri = "mongodb://127.0.0.1:" + at.getPort() + "/drover_cluster";
        int portA = freePort();
        int portB = freePort();
        List<String> members = List.of("127.0.0.1:" + portA, "127.0.0.1:" + portB);
        storeUri = uri;
        memberList = members;
        java.nio.file.Files.writeString(sharedKey, io.drover.controller.secrets.SecretsKey.newKeyText());
        long t0 = System.nanoTime();
        // one after the other: the first Hazelcast member of a JVM is slow to start (class loading), the second joins in ~1 s
        a = start(uri, dir.resolve("a"), members, portA);
        b = start(uri, dir.resolve("b"), members, portB);
        waitFor("both nodes see two members", () -> members(a) == 2 && members(b) == 2, 20_000);
        formedMs = (System.nanoTime() - t0) / 1_000_000;
        System.out.println("cluster of two formed in " + formedMs + " ms");
        apiA = new Api(a.baseUrl());
        apiB = new Api(b.baseUrl());
    }

    private static Controller start(String uri, Path data, List<String> members, int port) {
        return start(uri, data, members, port, sharedKey);
    }

    private static Controller start(String uri, Path data, List<String> members, int port, Path secretsKey) {
        ControllerConfig c = ControllerConfig.defaults().withPort(0).withDataDir(data).withAuth(false).withMongoUri(uri)
                .withSecretsKeyFile(secretsKey).withCluster(new ClusterConfig(true, members, "127.0.0.1", port));
        try {
            return Controller.start(c);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static int members(Controller c) {
        ClusterNode.State s = c.services().cluster().state();
        return s.joined() ? s.members().size() : 0;
    }

    @AfterAll
    static void stop() {
        if (b != null) b.close();
        if (a != null) a.close();
        if (store != null) store.shutdownNow();
    }

    @Test
    @Order(1)
    void readyReportsTheCluster() {
        for (Api api : List.of(apiA, apiB)) {
            Api.Res r = api.get("/ready");
            assertThat(r.status()).as(r.body()).isEqualTo(200);
            assertThat(r.json().path("cluster").path("enabled").asBoolean()).isTrue();
            assertThat(r.json().path("cluster").path("joined").asBoolean()).isTrue();
            assertThat(r.json().path("cluster").path("members")).hasSize(2);
            assertThat(r.json().path("cluster").has("problems")).as("same secrets key everywhere").isFalse();
        }
    }

    @Test
    @Order(2)
    void enqueueOnBWakesAClaimLongPollOnA() throws Exception {
        register(apiA, "w-wake", "wake");
        List<Long> took = new java.util.ArrayList<>();
        for (int round = 0; round < 3; round++) {
            CompletableFuture<HttpResponse<String>> claim = postAsync(a, "/workers/w-wake/claim", claimBody("wake", 20));
            Thread.sleep(400); // the poll waits on A
            assertThat(claim).isNotDone();
            String id = apiB.ok("/tasks", task("woken").put("queue", "wake").put("enqueue", true)).path("id").asText();
            long t0 = System.nanoTime();
            HttpResponse<String> r = claim.get(10, TimeUnit.SECONDS);
            took.add((System.nanoTime() - t0) / 1_000_000);
            assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
            assertThat(Json.parse(r.body()).path("task").path("id").asText()).isEqualTo(id);
        }
        // the same path without the event bus, as a baseline on this machine: enqueue on A wakes A
        List<Long> local = new java.util.ArrayList<>();
        for (int round = 0; round < 3; round++) {
            CompletableFuture<HttpResponse<String>> claim = postAsync(a, "/workers/w-wake/claim", claimBody("wake", 20));
            Thread.sleep(400);
            apiA.ok("/tasks", task("woken-here").put("queue", "wake").put("enqueue", true));
            long t0 = System.nanoTime();
            assertThat(claim.get(10, TimeUnit.SECONDS).statusCode()).isEqualTo(200);
            local.add((System.nanoTime() - t0) / 1_000_000);
        }
        System.out.println("enqueue on B woke the claim on A after " + took + " ms (enqueue on A: " + local + " ms)");
        // without the bridge A would find the task only at its periodic reload or at the poll's end (20 s)
        assertThat(took).allMatch(ms -> ms < 5000);
        assertThat(java.util.Collections.min(took)).as("claim woken within a second").isLessThan(1000);
    }

    @Test
    @Order(3)
    void claimOrderOnEachNodeIncludesTheOthersTasks() {
        register(apiB, "w-order", "order");
        String first = apiA.ok("/tasks", task("o1").put("queue", "order").put("enqueue", true)).path("id").asText();
        String second = apiB.ok("/tasks", task("o2").put("queue", "order").put("enqueue", true)).path("id").asText();
        waitFor("B's queue view has A's task", () -> apiB.okGet("/queues/order/entries").path("items").size() == 2, 3000);
        assertThat(apiB.okGet("/queues/order/entries").path("items").findValuesAsText("id")).containsExactly(first, second);
        // B claims A's task first (it was enqueued first), then its own; A's view drops both
        assertThat(apiB.ok("/workers/w-order/claim", claimBody("order", 0)).path("task").path("id").asText()).isEqualTo(first);
        assertThat(apiB.ok("/workers/w-order/claim", claimBody("order", 0)).path("task").path("id").asText()).isEqualTo(second);
        waitFor("A's queue view is empty", () -> apiA.okGet("/queues/order/entries").path("items").isEmpty(), 3000);
    }

    @Test
    @Order(4)
    void aTaskCreatedOnAAppearsInTheListOnB() {
        apiB.okGet("/tasks?limit=1"); // B's index is loaded before the task exists
        String id = apiA.ok("/tasks", task("listed-elsewhere").put("project", "clusterlist")).path("id").asText();
        waitFor("GET /tasks on B lists it", () -> apiB.okGet("/tasks?project=clusterlist").path("items").findValuesAsText("id").contains(id), 3000);
        apiA.ok("/tasks/" + id + "/archive", Json.object());
        // one listing per look: the row may leave the list (archived rows are hidden) between two
        waitFor("B's row follows a change made on A", () -> {
            JsonNode items = apiB.okGet("/tasks?project=clusterlist").path("items");
            return items.isEmpty() || items.get(0).path("archived").asBoolean();
        }, 3000);
    }

    @Test
    @Order(5)
    void logLongPollOnBSeesLinesPostedToA() throws Exception {
        register(apiA, "w-logs", "logs");
        String id = apiA.ok("/tasks", task("logged").put("queue", "logs").put("enqueue", true)).path("id").asText();
        long epoch = apiA.ok("/workers/w-logs/claim", claimBody("logs", 0)).path("lease").path("epoch").asLong();
        CompletableFuture<HttpResponse<String>> poll = getAsync(b, "/tasks/" + id + "/logs?after=0&wait=20");
        Thread.sleep(500);
        assertThat(poll).isNotDone();
        long t0 = System.nanoTime();
        apiA.ok("/tasks/" + id + "/logs", Json.object().put("epoch", epoch).put("batch", 1)
                .set("lines", Json.MAPPER.createArrayNode().add(Json.object().put("ts", "2026-01-01T00:00:00Z")
                        .put("stream", "stdout").put("text", "hello from A"))));
        HttpResponse<String> r = poll.get(10, TimeUnit.SECONDS);
        long tookMs = (System.nanoTime() - t0) / 1_000_000;
        System.out.println("log line posted to A reached a long-poll on B after " + tookMs + " ms");
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(Json.parse(r.body()).path("lines").findValuesAsText("text")).containsExactly("hello from A");
        assertThat(tookMs).isLessThan(2000);
    }

    @Test
    @Order(5)
    void liveStreamOnBSeesChangesMadeOnA() throws Exception {
        java.util.concurrent.BlockingQueue<String> lines = new java.util.concurrent.LinkedBlockingQueue<>();
        CompletableFuture<HttpResponse<java.util.stream.Stream<String>>> open = http.sendAsync(
                HttpRequest.newBuilder(URI.create(b.baseUrl() + "/api/v1/stream?project=clusterlive")).timeout(Duration.ofSeconds(30)).GET().build(),
                HttpResponse.BodyHandlers.ofLines());
        HttpResponse<java.util.stream.Stream<String>> res = open.get(10, TimeUnit.SECONDS);
        assertThat(res.statusCode()).isEqualTo(200);
        Thread reader = new Thread(() -> res.body().forEach(lines::add), "sse-reader");
        reader.setDaemon(true);
        reader.start();
        try {
            awaitLine(lines, l -> l.contains("connected"));
            String id = apiA.ok("/tasks", task("watched-from-b").put("project", "clusterlive").put("queue", "clusterliveq")).path("id").asText();
            awaitLine(lines, l -> l.startsWith("data:") && l.contains(id));
            apiA.ok("/tasks/" + id + "/enqueue", Json.object());
            awaitLine(lines, l -> l.startsWith("data:") && l.contains(id) && l.contains("\"queued\""));
        } finally {
            reader.interrupt();
            res.body().close();
        }
    }

    private static void awaitLine(java.util.concurrent.BlockingQueue<String> lines, java.util.function.Predicate<String> p) throws Exception {
        long end = System.currentTimeMillis() + 5000;
        while (System.currentTimeMillis() < end) {
            String l = lines.poll(100, TimeUnit.MILLISECONDS);
            if (l != null && p.test(l)) return;
        }
        throw new AssertionError("no matching line on B's live stream within 5 s");
    }

    @Test
    @Order(6)
    void abortRequestedOnBReachesTheControlPollOnA() throws Exception {
        register(apiA, "w-abort", "abort");
        String id = apiA.ok("/tasks", task("aborted").put("queue", "abort").put("enqueue", true)).path("id").asText();
        long epoch = apiA.ok("/workers/w-abort/claim", claimBody("abort", 0)).path("lease").path("epoch").asLong();
        CompletableFuture<HttpResponse<String>> control = getAsync(a, "/workers/w-abort/control?wait=20");
        Thread.sleep(500);
        assertThat(control).isNotDone();
        long t0 = System.nanoTime();
        apiB.ok("/tasks/" + id + "/abort", Json.object().put("reason", "stop it"));
        HttpResponse<String> r = control.get(10, TimeUnit.SECONDS);
        long tookMs = (System.nanoTime() - t0) / 1_000_000;
        System.out.println("abort on B reached the control poll on A after " + tookMs + " ms");
        JsonNode abort = Json.parse(r.body()).path("abort");
        assertThat(abort).hasSize(1);
        assertThat(abort.get(0).path("taskId").asText()).isEqualTo(id);
        assertThat(abort.get(0).path("epoch").asLong()).isEqualTo(epoch);
        assertThat(tookMs).isLessThan(2000);
    }

    @Test
    @Order(7)
    void workerStatsAndMetricsPerNode() {
        register(apiA, "w-stats", "stats");
        ObjectNode hb = Json.object();
        hb.putObject("stats").put("cpuPercent", 42.5).put("memUsedMb", 900);
        hb.putArray("tasks");
        apiA.ok("/workers/w-stats/heartbeat", hb);
        waitFor("B has A's sample", () -> apiB.okGet("/workers/w-stats/stats").path("items").size() == 1, 3000);
        assertThat(apiB.okGet("/workers/w-stats/stats").path("items").get(0).path("cpuPercent").asDouble()).isEqualTo(42.5);

        // a task finished on A is counted by A only
        double beforeA = finishedCompleted(a);
        double beforeB = finishedCompleted(b);
        register(apiA, "w-fin", "fin");
        apiA.ok("/tasks", task("fin").put("queue", "fin").put("enqueue", true));
        JsonNode c = apiA.ok("/workers/w-fin/claim", claimBody("fin", 0));
        apiA.ok("/tasks/" + c.path("task").path("id").asText() + "/finish",
                Json.object().put("epoch", c.path("lease").path("epoch").asLong()).put("status", "completed").put("exitCode", 0));
        waitFor("B's list shows it completed", () -> apiB.okGet("/tasks/" + c.path("task").path("id").asText()).path("status").asText().equals("completed"), 3000);
        assertThat(finishedCompleted(a)).isEqualTo(beforeA + 1);
        assertThat(finishedCompleted(b)).as("remote events are not counted twice").isEqualTo(beforeB);
        String metricsA = scrape(a);
        assertThat(metric(metricsA, "drover_eventbus_messages_total{direction=\"sent\",kind=\"queue\"}")).isPositive();
        assertThat(metric(metricsA, "drover_eventbus_messages_total{direction=\"received\",kind=\"task\"}")).isPositive();
        assertThat(metric(scrape(b), "drover_eventbus_messages_total{direction=\"sent\",kind=\"control\"}")).isPositive();
    }

    @Test
    @Order(40)
    void aBurstOfEnqueuesReachesTheOtherNode() {
        int n = 300;
        var tasks = b.services().store().tasks();
        List<org.bson.Document> docs = new java.util.ArrayList<>();
        for (int i = 0; i < n; i++) docs.add(new org.bson.Document("_id", "burst-" + i).append("status", "created"));
        tasks.insertMany(docs);
        long t0 = System.nanoTime();
        for (int i = 0; i < n; i++) b.services().queue().enqueue("burst-" + i, "burst", i % 3, null);
        long enqueuedMs = (System.nanoTime() - t0) / 1_000_000;
        long t1 = System.nanoTime();
        waitFor("A's claim order has all " + n, () -> a.services().queue().depths().getOrDefault("burst", 0L) == n, 10_000);
        long lagMs = (System.nanoTime() - t1) / 1_000_000;
        System.out.println(n + " enqueues on B took " + enqueuedMs + " ms; A had all of them " + lagMs + " ms after the last one");
        assertThat(a.services().queue().entries("burst")).isEqualTo(b.services().queue().entries("burst"));
    }

    @Test
    @Order(45)
    void thePeriodicCheckCatchesAMissedMessage() {
        assertThat(a.clusterBridge().reloadIfMissedSomething()).as("in step: no reload").isFalse();
        // a task queued behind every node's back, as if its message had been lost
        b.services().store().tasks().insertOne(new org.bson.Document("_id", "missed-1").append("status", "queued")
                .append("queue", "missed").append("priority", 0).append("queuedSeq", 1L).append("queuedAt", new java.util.Date()));
        assertThat(a.clusterBridge().reloadIfMissedSomething()).isTrue();
        assertThat(a.services().queue().depths()).containsEntry("missed", 1L);
    }

    @Test
    @Order(50)
    void aNodeWithAnotherSecretsKeyIsReported() throws Exception {
        int portC = freePort();
        List<String> withC = new java.util.ArrayList<>(memberList);
        withC.add("127.0.0.1:" + portC);
        // its own generated key in its data directory: a misconfiguration the nodes detect
        try (Controller c = start(storeUri, dir.resolve("c"), withC, portC, null)) {
            waitFor("B reports C's other secrets key", () -> {
                JsonNode p = apiB.get("/ready").json().path("cluster").path("problems");
                return p.size() == 1 && p.get(0).asText().contains("different secrets key");
            }, 10_000);
            Api.Res ready = apiB.get("/ready");
            assertThat(ready.status()).as("a key mismatch does not take B out of service").isEqualTo(200);
            assertThat(ready.json().path("cluster").path("problems").get(0).asText()).contains("--secrets-key-file", "DROVER_SECRETS_KEY");
        }
        waitFor("C has left", () -> members(b) == 2, 15_000);
    }

    @Test
    @Order(100)
    void closingANodeLeavesTheOtherServing() {
        a.close();
        a = null;
        waitFor("B sees one member", () -> members(b) == 1, 15_000);
        Api.Res ready = apiB.get("/ready");
        assertThat(ready.status()).as(ready.body()).isEqualTo(200);
        assertThat(ready.json().path("cluster").path("members")).hasSize(1);
        register(apiB, "w-after", "after");
        String id = apiB.ok("/tasks", task("after").put("queue", "after").put("enqueue", true)).path("id").asText();
        assertThat(apiB.ok("/workers/w-after/claim", claimBody("after", 5)).path("task").path("id").asText()).isEqualTo(id);
    }

    // ---------------------------------------------------------------- helpers

    private static void register(Api api, String worker, String queue) {
        ObjectNode body = Json.object().put("name", worker).put("hostname", "box").put("pid", 1).put("version", "test");
        body.putArray("queues").add(queue);
        api.ok("/workers", body);
    }

    private static ObjectNode claimBody(String queue, int wait) {
        ObjectNode body = Json.object().put("wait", wait);
        body.putArray("queues").add(queue);
        return body;
    }

    private static CompletableFuture<HttpResponse<String>> postAsync(Controller c, String path, Object body) {
        return http.sendAsync(HttpRequest.newBuilder(URI.create(c.baseUrl() + "/api/v1" + path)).timeout(Duration.ofSeconds(60))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(Json.write(body))).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private static CompletableFuture<HttpResponse<String>> getAsync(Controller c, String path) {
        return http.sendAsync(HttpRequest.newBuilder(URI.create(c.baseUrl() + "/api/v1" + path)).timeout(Duration.ofSeconds(60)).GET().build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private static String scrape(Controller c) {
        try {
            return http.send(HttpRequest.newBuilder(URI.create(c.baseUrl() + "/metrics")).GET().build(),
                    HttpResponse.BodyHandlers.ofString()).body();
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    private static double finishedCompleted(Controller c) {
        return metric(scrape(c), "drover_tasks_finished_total{status=\"completed\"}");
    }

    private static double metric(String text, String series) {
        for (String line : text.split("\n")) {
            if (line.startsWith(series + " ")) return Double.parseDouble(line.substring(series.length() + 1).trim());
        }
        throw new AssertionError("no " + series + " in\n" + text);
    }

    private static void waitFor(String what, Supplier<Boolean> cond, long ms) {
        long end = System.currentTimeMillis() + ms;
        while (System.currentTimeMillis() < end) {
            if (Boolean.TRUE.equals(cond.get())) return;
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError(e);
            }
        }
        throw new AssertionError("timed out waiting: " + what);
    }

    private static int freePort() throws Exception {
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getByName("127.0.0.1"))) {
            return s.getLocalPort();
        }
    }
}

package io.drover.agent.outage;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import de.bwaldvogel.mongo.MongoServer;
import io.drover.agent.Agent;
import io.drover.agent.AgentConfig;
import io.drover.agent.faults.TcpProxy;
import io.drover.controller.Controller;
import io.drover.controller.auth.Bootstrap;
import io.drover.controller.config.ControllerConfig;
import io.drover.controller.store.CopyOnWriteH2Backend;
import io.drover.shared.client.ApiClient;
import io.drover.shared.json.Json;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.eclipse.jgit.api.Git;
import org.eclipse.jgit.lib.PersonIdent;
import org.h2.mvstore.MVStore;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The store unreachable for several seconds under a running task: a MongoDB server (the embedded
 * mongo-java-server) behind a TCP proxy that is cut and restored, a controller using it through
 * {@code --mongo-uri}, a real agent running a Python task that prints numbered lines and logs
 * scalars through the client. While the store is cut the API answers 503 with a message that says
 * what to do, the task keeps running and the agent spools its lines on disk; once the store is
 * back every line is stored exactly once and in order, every scalar is there, the task completes
 * in its first attempt.
 */
class StoreOutageTest {
    /** Longer than the outage, so the test does not lean on the watchdog's grace after an outage (tested on its own). */
    static final Duration LEASE = Duration.ofSeconds(20);
    static final Duration OUTAGE = Duration.ofSeconds(6);

    static final String TASK = """
            import os, sys, time
            import drover
            d = drover.init()
            stop = sys.argv[1]
            i = 0
            while i < 40 or not os.path.exists(stop):
                print("line %d" % i, flush=True)
                if i % 10 == 0:
                    d.log_scalar("step", float(i), iter=i)
                i += 1
                time.sleep(0.02)
            d.close()
            print("total %d" % i, flush=True)
            """;

    static final Pattern LINE = Pattern.compile("line (\\d+)");

    @TempDir
    Path tmp;

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @Test
    void tasksRunThroughAStoreOutageAndLoseNothing() throws Exception {
        MongoServer mongo = new MongoServer(new CopyOnWriteH2Backend(new MVStore.Builder().open()));
        mongo.bind("127.0.0.1", 0);
        try (TcpProxy proxy = new TcpProxy(mongo.getLocalAddress().getPort());
             Controller controller = Controller.start(ControllerConfig.defaults().withPort(0).withDataDir(tmp.resolve("data"))
                     .withMongoUri("mongodb://127.0.0.1:" + proxy.port() + "/drover_outage")
                     .withHeartbeat(Duration.ofSeconds(1)).withLease(LEASE))) {
            long t0 = System.nanoTime();
            Bootstrap.Result boot = controller.bootstrap();
            ApiClient api = new ApiClient(controller.baseUrl(), boot.adminKey());
            String commit = repo();
            Path stop = tmp.resolve("stop");
            ObjectNode body = Json.object().put("name", "outage").put("queue", "default").put("enqueue", true);
            body.putObject("script").put("repo", tmp.resolve("repo").toString()).put("commit", commit)
                    .put("entryPoint", "task.py").put("args", "'" + stop + "'");
            body.putObject("environment").put("manager", "system"); // the agent's python3: no venv to build
            String id = api.post("/api/v1/tasks", body).orElseThrow().path("id").asText();

            Path workDir = tmp.resolve("agent");
            try (Agent agent = Agent.start(AgentConfig.of(controller.baseUrl(), workDir).withName("outage-agent")
                    .withGrace(Duration.ofSeconds(2)).withApiKey(boot.agentKey()))) {
                assertThat(agent.awaitRegistered(Duration.ofSeconds(30))).isTrue();
                awaitLine(api, id, 20, Duration.ofSeconds(60));
                long tRunning = System.nanoTime();

                // ---- the store goes away
                Instant cutAt = Instant.now();
                proxy.cut();
                HttpResponse<String> r = get(controller.baseUrl() + "/api/v1/tasks/" + id, boot.adminKey());
                assertThat(r.statusCode()).as(r.body()).isEqualTo(503);
                assertThat(r.headers().firstValue("Retry-After")).isPresent();
                JsonNode err = Json.parse(r.body()).path("error");
                assertThat(err.path("reason").asText()).isEqualTo("store_unavailable");
                assertThat(err.path("message").asText()).startsWith("the store is not reachable (")
                        .endsWith("the controller retries on its own: try again shortly");
                Path spoolDir = workDir.resolve("spool").resolve("outage-agent").resolve(id);
                long spoolDeadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
                while (segmentsIn(spoolDir) == 0 && System.nanoTime() < spoolDeadline) Thread.sleep(100);
                assertThat(segmentsIn(spoolDir)).as("the agent keeps the task's lines on disk during the outage").isPositive();
                long left = OUTAGE.minus(Duration.between(cutAt, Instant.now())).toMillis();
                if (left > 0) Thread.sleep(left);

                // ---- it comes back
                Instant restoredAt = Instant.now();
                proxy.restore();
                Files.writeString(stop, "");
                JsonNode done = awaitFinal(api, id, Duration.ofSeconds(60));
                long tDone = System.nanoTime();
                assertThat(done.path("status").asText()).as(done.toPrettyString()).isEqualTo("completed");
                assertThat(done.path("execution").path("attempt").asInt()).as("not requeued").isEqualTo(1);

                List<JsonNode> lines = new ArrayList<>();
                api.get("/api/v1/tasks/" + id + "/logs?limit=5000").path("lines").forEach(lines::add);
                List<Integer> numbers = new ArrayList<>();
                int total = -1;
                int duringOutage = 0;
                for (JsonNode l : lines) {
                    String t = l.path("text").asText();
                    Matcher m = LINE.matcher(t);
                    if (m.matches()) {
                        numbers.add(Integer.parseInt(m.group(1)));
                        Instant ts = Instant.parse(l.path("ts").asText());
                        if (ts.isAfter(cutAt) && ts.isBefore(restoredAt)) duringOutage++;
                    } else if (t.startsWith("total ")) {
                        total = Integer.parseInt(t.substring(6));
                    }
                }
                assertThat(total).as("the task's last line arrived: %s", lines).isPositive();
                List<Integer> expected = java.util.stream.IntStream.range(0, total).boxed().toList();
                assertThat(numbers).as("every line stored once, in order").isEqualTo(expected);
                assertThat(duringOutage).as("the task printed on during the outage").isGreaterThan(50);

                List<Long> iters = new ArrayList<>();
                api.get("/api/v1/tasks/" + id + "/scalars/step?raw=true&variant=").path("points")
                        .forEach(p -> iters.add(p.path("iter").asLong()));
                List<Long> expectedIters = java.util.stream.LongStream.range(0, total).filter(i -> i % 10 == 0).boxed().toList();
                assertThat(iters).as("every scalar").containsExactlyElementsOf(expectedIters);
                assertThat(segmentsIn(spoolDir)).as("the spool is gone once delivered").isZero();
                System.out.printf("store outage: %.1f s cut, %d lines (%d printed during the outage), %d scalars, all delivered;"
                                + " task running after %.1f s, completed %.1f s after the restore%n",
                        Duration.between(cutAt, restoredAt).toMillis() / 1e3, total, duringOutage, iters.size(),
                        (tRunning - t0) / 1e9, Duration.between(restoredAt, Instant.now()).toMillis() / 1e3 - (System.nanoTime() - tDone) / 1e9);
            }
        } finally {
            mongo.shutdownNow();
        }
    }

    private String repo() throws Exception {
        Path repo = tmp.resolve("repo");
        try (Git git = Git.init().setDirectory(repo.toFile()).setInitialBranch("main").call()) {
            Files.writeString(repo.resolve("task.py"), TASK);
            git.add().addFilepattern(".").call();
            PersonIdent who = new PersonIdent("t", "t@example.com");
            return git.commit().setMessage("init").setAuthor(who).setCommitter(who).call().getName();
        }
    }

    private static long segmentsIn(Path dir) {
        if (!Files.isDirectory(dir)) return 0;
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(p -> p.getFileName().toString().endsWith(".spool")).count();
        } catch (java.io.IOException e) {
            return 0; // deleted while listing
        }
    }

    private HttpResponse<String> get(String url, String key) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(30))
                .header("Authorization", "Bearer " + key).build(), HttpResponse.BodyHandlers.ofString());
    }

    private static void awaitLine(ApiClient api, String id, int atLeast, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            for (JsonNode l : api.get("/api/v1/tasks/" + id + "/logs?limit=5000").path("lines")) {
                Matcher m = LINE.matcher(l.path("text").asText());
                if (m.matches() && Integer.parseInt(m.group(1)) >= atLeast) return;
            }
            Thread.sleep(100);
        }
        throw new AssertionError("task " + id + " printed no line " + atLeast + " in " + timeout + ": " + api.get("/api/v1/tasks/" + id));
    }

    private static JsonNode awaitFinal(ApiClient api, String id, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        JsonNode t = null;
        while (System.nanoTime() < deadline) {
            try {
                t = api.get("/api/v1/tasks/" + id);
                if (List.of("completed", "failed", "aborted").contains(t.path("status").asText())) return t;
            } catch (io.drover.shared.domain.DroverException e) {
                // 503 until the controller's driver has reconnected
            }
            Thread.sleep(100);
        }
        throw new AssertionError("task " + id + " did not end in " + timeout + ": " + t);
    }
}

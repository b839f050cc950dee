package io.drover.agent.faults;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import de.bwaldvogel.mongo.MongoServer;
import io.drover.agent.Agent;
import io.drover.agent.AgentConfig;
import io.drover.controller.Controller;
import io.drover.controller.auth.Bootstrap;
import io.drover.controller.config.ControllerConfig;
import io.drover.controller.store.CopyOnWriteH2Backend;
import io.drover.shared.client.ApiClient;
import io.drover.shared.json.Json;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.stream.IntStream;
import org.eclipse.jgit.api.Git;
import org.eclipse.jgit.lib.PersonIdent;
import org.h2.mvstore.MVStore;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 6, "faults that must lose nothing": {@code kill -9} of one controller in a cluster of two.
 * Two clustered controllers, each in its own JVM over one store, and two agents given both URLs
 * (the killed one first, so they talk to it). While each agent runs a ticking task and more tasks
 * wait in the queue, the controller is killed. The agents must fail over: their heartbeats through
 * the other controller keep the running tasks' leases (same epoch, not requeued, completed once),
 * every line printed before and after is stored with no gap, and each queued task is claimed once
 * and completes once. Prints the failover time: kill → the agent's first request served by the
 * other controller.
 */
class ControllerFailoverTest {
    static final int LEASE_SECONDS = 4;

    /** Appends its second argument to the ledger file named by the first: one line per run. */
    static final String ONCE = """
            import sys
            with open(sys.argv[1], "a") as f:
                f.write(sys.argv[2] + "\\n")
            print("ran", sys.argv[2], flush=True)
            """;

    @TempDir
    Path tmp;

    @Test
    void agentsFailOverWhenTheirControllerIsKilledAndNothingIsLostOrDoneTwice() throws Exception {
        MongoServer store = new MongoServer(new CopyOnWriteH2Backend(new MVStore.Builder().open()));
        store.bind("127.0.0.1", 0);
        String storeUri = "mongodb://127.0.0.1:" + store.getLocalAddress().getPort() + "/drover";
        List<AutoCloseable> open = new ArrayList<>();
        try {
            // the admin and the worker key, made once on the empty store (two first starts would race)
            Bootstrap.Result boot;
            try (Controller first = Controller.start(ControllerConfig.defaults().withPort(0).withDataDir(tmp.resolve("boot"))
                    .withMongoUri(storeUri))) {
                boot = first.bootstrap();
            }
            assertThat(boot).isNotNull();

            int hzA = ControllerProcess.freePort();
            int hzB = ControllerProcess.freePort();
            String members = "127.0.0.1:" + hzA + ",127.0.0.1:" + hzB;
            ControllerProcess a = ControllerProcess.start(tmp, "controller-a", ControllerProcess.freePort(), flags(storeUri, members, hzA));
            open.add(a);
            ControllerProcess b = ControllerProcess.start(tmp, "controller-b", ControllerProcess.freePort(), flags(storeUri, members, hzB));
            open.add(b);
            long startedAt = System.nanoTime();
            // a few seconds on a quiet machine (Hazelcast joins in ~3 s); generous for a loaded CI box
            a.awaitReady(Duration.ofSeconds(90));
            b.awaitReady(Duration.ofSeconds(30));
            System.out.println("[controller-failover] two clustered controllers ready in " + (System.nanoTime() - startedAt) / 1_000_000 + " ms");
            String urls = a.url() + "," + b.url();
            ApiClient admin = new ApiClient(urls, boot.adminKey());
            ApiClient onB = new ApiClient(b.url(), boot.adminKey());
            String commit = repo();

            String queue = "cluster-failover";
            List<String> tickers = List.of(task(admin, commit, queue, "ticker.py", "ticker-0", "'" + tmp.resolve("ticker-0") + "'"),
                    task(admin, commit, queue, "ticker.py", "ticker-1", "'" + tmp.resolve("ticker-1") + "'"));
            List<Agent> agents = new ArrayList<>();
            for (int i = 0; i < 2; i++) {
                Agent ag = Agent.start(AgentConfig.of(urls, tmp.resolve("agent-" + i)).withName("agent-" + i)
                        .withQueues(List.of(queue)).withGrace(Duration.ofSeconds(2)).withApiKey(boot.agentKey()));
                agents.add(ag);
                open.add(ag);
                assertThat(ag.awaitRegistered(Duration.ofSeconds(30))).isTrue();
            }
            Map<String, Long> epochs = new HashMap<>();
            for (String id : tickers) {
                awaitTick(admin, id, 5, Duration.ofSeconds(40));
                JsonNode t = admin.get("/api/v1/tasks/" + id);
                assertThat(t.path("status").asText()).isEqualTo("running");
                epochs.put(id, t.path("lease").path("epoch").asLong());
            }
            // both agents are busy (one task at a time): these wait in the queue over the kill
            Path ledger = tmp.resolve("ledger.txt");
            Map<String, String> queued = new LinkedHashMap<>();
            for (int i = 0; i < 4; i++) {
                String name = "once-" + i;
                queued.put(task(admin, commit, queue, "once.py", name, "'" + ledger + "' " + name), name);
            }
            Map<String, List<String>> beforeKill = new HashMap<>();
            for (String id : tickers) beforeKill.put(id, texts(admin, id));

            a.kill();
            Instant killedAt = Instant.now();

            // failover: the first request of each agent the other controller served (it sets lastSeen)
            Map<String, Duration> failover = new LinkedHashMap<>();
            while (failover.size() < agents.size() && Duration.between(killedAt, Instant.now()).toSeconds() < 15) {
                for (JsonNode w : onB.get("/api/v1/workers").path("items")) {
                    String n = w.path("name").asText();
                    if (!n.startsWith("agent-") || failover.containsKey(n) || !w.hasNonNull("lastSeen")) continue;
                    Instant seen = Instant.parse(w.path("lastSeen").asText());
                    if (seen.isAfter(killedAt)) failover.put(n, Duration.between(killedAt, seen));
                }
                Thread.sleep(20);
            }
            assertThat(failover).as("both agents reached the other controller").hasSize(2);
            System.out.println("[controller-failover] kill -9 -> first request served by the other controller: "
                    + failover.entrySet().stream().map(e -> e.getKey() + " " + e.getValue().toMillis() + " ms").toList());

            // longer than a lease after the kill: only heartbeats through B can have kept the leases
            Thread.sleep(Math.max(0, Duration.between(Instant.now(), killedAt.plusSeconds(LEASE_SECONDS + 2)).toMillis()));
            for (String id : tickers) {
                JsonNode t = onB.get("/api/v1/tasks/" + id);
                assertThat(t.path("status").asText()).as(t.toPrettyString()).isEqualTo("running");
                assertThat(t.path("lease").path("epoch").asLong()).as("same lease").isEqualTo(epochs.get(id));
                assertThat(t.path("execution").path("attempt").asInt()).isEqualTo(1);
            }

            for (int i = 0; i < 2; i++) Files.writeString(tmp.resolve("ticker-" + i + ".stop"), "");
            for (String id : tickers) {
                JsonNode done = awaitDone(onB, id, Duration.ofSeconds(30));
                assertThat(done.path("status").asText()).as(done.toPrettyString()).isEqualTo("completed");
                assertThat(done.path("execution").path("attempt").asInt()).as("never requeued").isEqualTo(1);
                List<String> lines = texts(onB, id);
                assertThat(lines).as("every line stored before the kill is kept").containsSubsequence(beforeKill.get(id));
                assertThat(lines).noneMatch(s -> s.startsWith("second run"));
                List<Integer> ticks = new ArrayList<>();
                for (String s : lines) {
                    Matcher m = FaultRig.TICK.matcher(s);
                    if (m.matches()) ticks.add(Integer.parseInt(m.group(1)));
                }
                assertThat(ticks).as("every line, before and after the kill, stored once and in order")
                        .isEqualTo(IntStream.range(0, ticks.size()).boxed().toList());
                assertThat(ticks.size()).isGreaterThan(LEASE_SECONDS * 10);
            }
            for (Map.Entry<String, String> q : queued.entrySet()) {
                JsonNode done = awaitDone(onB, q.getKey(), Duration.ofSeconds(30));
                assertThat(done.path("status").asText()).as(done.toPrettyString()).isEqualTo("completed");
                assertThat(done.path("execution").path("attempt").asInt()).as("claimed once").isEqualTo(1);
            }
            List<String> runs = Files.readAllLines(ledger);
            assertThat(runs).as("each queued task ran exactly once").containsExactlyInAnyOrderElementsOf(queued.values());
        } finally {
            for (int i = open.size() - 1; i >= 0; i--) {
                try {
                    open.get(i).close();
                } catch (Exception ignored) {
                    // best effort: the next one still closes
                }
            }
            store.shutdownNow();
        }
    }

    private List<String> flags(String storeUri, String members, int clusterPort) {
        return List.of("--mongo-uri", storeUri, "--lease-seconds", Integer.toString(LEASE_SECONDS), "--heartbeat-seconds", "1",
                "--cluster", "--cluster-members", members, "--cluster-host", "127.0.0.1", "--cluster-port", Integer.toString(clusterPort));
    }

    private String repo() throws Exception {
        Path repo = tmp.resolve("repo");
        try (Git git = Git.init().setDirectory(repo.toFile()).setInitialBranch("main").call()) {
            Files.writeString(repo.resolve("ticker.py"), FaultRig.TICKER);
            Files.writeString(repo.resolve("once.py"), ONCE);
            git.add().addFilepattern(".").call();
            PersonIdent who = new PersonIdent("t", "t@example.com");
            return git.commit().setMessage("init").setAuthor(who).setCommitter(who).call().getName();
        }
    }

    private String task(ApiClient api, String commit, String queue, String script, String name, String args) {
        ObjectNode body = Json.object().put("name", name).put("queue", queue).put("enqueue", true).put("retries", 2);
        body.putObject("script").put("repo", tmp.resolve("repo").toString()).put("commit", commit).put("entryPoint", script)
                .put("args", args);
        body.putObject("environment").put("manager", "system"); // the agent's python3: no venv to build
        return api.post("/api/v1/tasks", body).orElseThrow().path("id").asText();
    }

    private static List<String> texts(ApiClient api, String id) {
        List<String> out = new ArrayList<>();
        api.get("/api/v1/tasks/" + id + "/logs?limit=5000").path("lines").forEach(l -> out.add(l.path("text").asText()));
        return out;
    }

    private static void awaitTick(ApiClient api, String id, int n, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            for (String t : texts(api, id)) {
                Matcher m = FaultRig.TICK.matcher(t);
                if (m.matches() && Integer.parseInt(m.group(1)) >= n) return;
            }
            Thread.sleep(100);
        }
        throw new AssertionError("task " + id + " printed no tick " + n + " in " + timeout + ": " + api.get("/api/v1/tasks/" + id));
    }

    private static JsonNode awaitDone(ApiClient api, String id, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        JsonNode t = api.get("/api/v1/tasks/" + id);
        while (!List.of("completed", "failed", "aborted").contains(t.path("status").asText()) && System.nanoTime() < deadline) {
            Thread.sleep(100);
            t = api.get("/api/v1/tasks/" + id);
        }
        return t;
    }
}

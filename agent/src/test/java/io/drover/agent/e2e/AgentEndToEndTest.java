package io.drover.agent.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.drover.agent.Agent;
import io.drover.agent.AgentConfig;
import io.drover.agent.testutil.Procs;
import io.drover.controller.Controller;
import io.drover.controller.auth.Bootstrap;
import io.drover.controller.config.ControllerConfig;
import io.drover.shared.client.ApiClient;
import io.drover.shared.json.Json;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import org.eclipse.jgit.api.Git;
import org.eclipse.jgit.lib.PersonIdent;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real controller in-process (embedded store, HTTP on port 0) and a real agent: tasks made
 * through the API run from a real git repository with real Python, end to end.
 */
class AgentEndToEndTest {
    static final Path MIRROR = Path.of("/opt/pypi/simple");

    @TempDir
    static Path tmp;

    static Controller controller;
    static ApiClient api;
    static Bootstrap.Result boot;
    static Agent agent;
    static Path repo;
    static String commit;

    static final String TRAIN = """
            import argparse, os, sys
            import six
            p = argparse.ArgumentParser()
            p.add_argument("--lr", type=float, default=0.1)
            p.add_argument("--epochs", type=int, default=2)
            a = p.parse_args()
            print("lr=%r epochs=%r lr_type=%s" % (a.lr, a.epochs, type(a.lr).__name__))
            if os.path.exists("note.txt"):
                print("note:", open("note.txt").read().strip())
            print("to stderr", file=sys.stderr)
            out = os.environ["DROVER_OUTPUT_DIR"]
            os.makedirs(os.path.join(out, "sub"), exist_ok=True)
            with open(os.path.join(out, "model.txt"), "w") as f:
                f.write("weights lr=%s\\n" % a.lr)
            with open(os.path.join(out, "sub", "metrics.json"), "w") as f:
                f.write('{"acc": 0.9}')
            print("task", os.environ["DROVER_TASK_ID"], "token", bool(os.environ.get("DROVER_TASK_TOKEN")))
            """;

    static final String FAIL = """
            import sys
            print("starting")
            for i in range(30):
                print("err line %d" % i, file=sys.stderr)
            sys.exit(3)
            """;

    static final String SLEEP = """
            import os, signal, sys, time
            def term(*_):
                print("got SIGTERM", flush=True)
                sys.exit(143)
            signal.signal(signal.SIGTERM, term)
            print("sleeping pid", os.getpid(), flush=True)
            time.sleep(300)
            """;

    @BeforeAll
    static void start() throws Exception {
        controller = Controller.start(ControllerConfig.defaults().withPort(0).withDataDir(tmp.resolve("data"))
                .withHeartbeat(Duration.ofSeconds(1)).withLease(Duration.ofSeconds(4)));
        // Auth ON: the API calls use the first start's admin key, the agents its worker key (and lease tokens).
        boot = controller.bootstrap();
        assertThat(boot).isNotNull();
        api = new ApiClient(controller.baseUrl(), boot.adminKey());
        repo = tmp.resolve("repo");
        try (Git git = Git.init().setDirectory(repo.toFile()).setInitialBranch("main").call()) {
            Files.writeString(repo.resolve("train.py"), TRAIN);
            Files.writeString(repo.resolve("fail.py"), FAIL);
            Files.writeString(repo.resolve("sleep.py"), SLEEP);
            Files.writeString(repo.resolve("requirements.txt"), "six\n");
            git.add().addFilepattern(".").call();
            PersonIdent who = new PersonIdent("t", "t@example.com");
            commit = git.commit().setMessage("init").setAuthor(who).setCommitter(who).call().getName();
        }
        agent = Agent.start(config("e2e-agent", "default"));
        assertThat(agent.awaitRegistered(Duration.ofSeconds(20))).isTrue();
    }

    static AgentConfig config(String name, String queue) {
        Map<String, String> pip = Files.isDirectory(MIRROR) ? Map.of("PIP_INDEX_URL", MIRROR.toUri().toString()) : Map.of();
        return AgentConfig.of(controller.baseUrl(), tmp.resolve("agent-" + name)).withName(name)
                .withQueues(List.of(queue)).withGrace(Duration.ofSeconds(2)).withBuildEnv(pip).withApiKey(boot.agentKey());
    }

    @AfterAll
    static void stop() throws Exception {
        if (agent != null) agent.close();
        if (controller != null) controller.close();
    }

    static ObjectNode task(String name, String entry, String args, Map<String, String> params, String queue) {
        ObjectNode body = Json.object();
        body.put("name", name);
        body.put("project", "e2e");
        body.put("queue", queue);
        body.put("enqueue", true);
        body.putPOJO("params", params);
        ObjectNode script = body.putObject("script");
        script.put("repo", repo.toString());
        script.put("branch", "main");
        script.put("commit", commit);
        script.put("entryPoint", entry);
        if (args != null) script.put("args", args);
        return body;
    }

    static String create(ObjectNode body) {
        return api.post("/api/v1/tasks", body).orElseThrow().path("id").asText();
    }

    static JsonNode get(String id) {
        return api.get("/api/v1/tasks/" + id);
    }

    static JsonNode awaitTask(String id, Predicate<JsonNode> until, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        JsonNode t = get(id);
        while (!until.test(t) && System.nanoTime() < deadline) {
            Thread.sleep(50);
            t = get(id);
        }
        assertThat(until.test(t)).as("task %s reached the expected state; it is %s", id, t.toPrettyString()).isTrue();
        return t;
    }

    static JsonNode awaitFinal(String id, Duration timeout) throws InterruptedException {
        return awaitTask(id, t -> List.of("completed", "failed", "aborted").contains(t.path("status").asText()), timeout);
    }

    static List<JsonNode> logs(String id) {
        List<JsonNode> out = new ArrayList<>();
        api.get("/api/v1/tasks/" + id + "/logs?limit=1000").path("lines").forEach(out::add);
        return out;
    }

    static List<String> texts(String id) {
        return logs(id).stream().map(l -> l.path("text").asText()).toList();
    }

    static String awaitLine(String id, Predicate<String> match, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            for (String t : texts(id)) if (match.test(t)) return t;
            Thread.sleep(50);
        }
        throw new AssertionError("no matching log line in task " + id + ": " + texts(id));
    }

    @Test
    void runsATaskWithRequirementsDiffParamsAndOutputs() throws Exception {
        ObjectNode body = task("train", "train.py", "--epochs 3", Map.of("lr", "0.5"), "default");
        ((ObjectNode) body.get("script")).put("requirements", "requirements.txt");
        ((ObjectNode) body.get("script")).put("diff", """
                diff --git a/note.txt b/note.txt
                new file mode 100644
                index 0000000..3b18e51
                --- /dev/null
                +++ b/note.txt
                @@ -0,0 +1 @@
                +uncommitted hello
                """);
        String id = create(body);
        JsonNode t = awaitFinal(id, Duration.ofSeconds(180));
        List<String> lines = texts(id);
        assertThat(t.path("status").asText()).as(String.join("\n", lines)).isEqualTo("completed");
        assertThat(lines).contains("lr=0.5 epochs=3 lr_type=float", "note: uncommitted hello", "to stderr",
                "task " + id + " token True");
        assertThat(logs(id)).anyMatch(l -> l.path("stream").asText().equals("stderr") && l.path("text").asText().equals("to stderr"));
        assertThat(t.path("execution").path("exitCode").asInt()).isZero();
        assertThat(t.path("execution").path("resolvedCommit").asText()).isEqualTo(commit);
        assertThat(t.path("execution").path("maxRssKb").asLong()).isPositive();
        assertThat(t.path("params").path("lr").asText()).isEqualTo("0.5");
        assertThat(t.path("params").path("epochs").asText()).isEqualTo("3");
        assertThat(t.path("captured").path("python").asText()).matches("3\\.\\d+\\.\\d+");
        assertThat(t.path("captured").path("hostname").asText()).isNotBlank();
        List<String> pkgs = new ArrayList<>();
        t.path("captured").path("installedPackages").forEach(p -> pkgs.add(p.asText()));
        assertThat(pkgs).anyMatch(p -> p.startsWith("six=="));
        List<String> artifacts = new ArrayList<>();
        t.path("artifacts").forEach(a -> artifacts.add(a.path("name").asText()));
        assertThat(artifacts).containsExactlyInAnyOrder("model.txt", "sub/metrics.json");
        try (var in = api.download("/api/v1/tasks/" + id + "/artifacts/model.txt")) {
            assertThat(new String(in.readAllBytes())).isEqualTo("weights lr=0.5\n");
        }

        // a clone with another parameter: the script sees it, typed, without code changes
        JsonNode clone = api.post("/api/v1/tasks/" + id + "/clone",
                Json.object().put("enqueue", true).set("params", Json.object().put("lr", "0.7"))).orElseThrow();
        String cid = clone.path("id").asText();
        JsonNode c = awaitFinal(cid, Duration.ofSeconds(60));
        assertThat(c.path("status").asText()).as(String.join("\n", texts(cid))).isEqualTo("completed");
        assertThat(texts(cid)).contains("lr=0.7 epochs=3 lr_type=float");
    }

    @Test
    void aFailingScriptFailsWithItsExitCodeAndStderrTail() throws Exception {
        String id = create(task("fail", "fail.py", null, Map.of(), "default"));
        JsonNode t = awaitFinal(id, Duration.ofSeconds(60));
        assertThat(t.path("status").asText()).isEqualTo("failed");
        assertThat(t.path("execution").path("exitCode").asInt()).isEqualTo(3);
        String reason = t.path("statusReason").asText();
        assertThat(reason).startsWith("exit code 3").contains("err line 29").contains("err line 10")
                .doesNotContain("err line 9\n");
        assertThat(texts(id)).contains("starting", "err line 0");
    }

    @Test
    void abortReachesTheProcessWithinTwoSeconds() throws Exception {
        String id = create(task("sleep", "sleep.py", null, Map.of(), "default"));
        String line = awaitLine(id, s -> s.startsWith("sleeping pid"), Duration.ofSeconds(60));
        long pid = Long.parseLong(line.substring("sleeping pid ".length()).trim());
        Instant asked = Instant.now();
        api.post("/api/v1/tasks/" + id + "/abort", Json.object().put("reason", "user changed their mind"));
        JsonNode t = awaitFinal(id, Duration.ofSeconds(15));
        assertThat(t.path("status").asText()).isEqualTo("aborted");
        assertThat(t.path("statusReason").asText()).contains("user changed their mind");
        JsonNode term = logs(id).stream().filter(l -> l.path("text").asText().equals("got SIGTERM")).findFirst().orElseThrow();
        Duration reached = Duration.between(asked, Instant.parse(term.path("ts").asText()));
        assertThat(reached).as("abort → SIGTERM in the task").isLessThan(Duration.ofSeconds(2));
        assertThat(Procs.awaitGone(pid, Duration.ofSeconds(5))).isTrue();
    }

    @Test
    void badInputFailsTheTaskWithAReasonThatSaysWhich() throws Exception {
        ObjectNode badRepo = task("bad-repo", "train.py", null, Map.of(), "default");
        ((ObjectNode) badRepo.get("script")).put("repo", tmp.resolve("missing-repo").toString());
        ((ObjectNode) badRepo.get("script")).remove("commit");
        String id1 = create(badRepo);
        ObjectNode badCommit = task("bad-commit", "train.py", null, Map.of(), "default");
        ((ObjectNode) badCommit.get("script")).put("commit", "0123456789abcdef0123456789abcdef01234567");
        String id2 = create(badCommit);
        String id3 = create(task("no-entry", "nope.py", null, Map.of(), "default"));
        assertThat(awaitFinal(id1, Duration.ofSeconds(60)).path("statusReason").asText()).startsWith("cannot clone repo ");
        assertThat(awaitFinal(id2, Duration.ofSeconds(60)).path("statusReason").asText())
                .startsWith("commit 0123456789abcdef0123456789abcdef01234567 not found in ");
        JsonNode t3 = awaitFinal(id3, Duration.ofSeconds(60));
        assertThat(t3.path("status").asText()).isEqualTo("failed");
        assertThat(t3.path("statusReason").asText()).startsWith("entry point nope.py not found");
    }

    @Test
    void shutdownHandsTheRunningTaskBackToItsQueue() throws Exception {
        Agent other = Agent.start(config("e2e-shutdown", "shutdown"));
        try {
            assertThat(other.awaitRegistered(Duration.ofSeconds(20))).isTrue();
            ObjectNode body = task("shutdown", "sleep.py", null, Map.of(), "shutdown");
            body.put("retries", 2);
            String id = create(body);
            awaitLine(id, s -> s.startsWith("sleeping pid"), Duration.ofSeconds(60));
            other.stop(false);
            assertThat(other.awaitStopped(Duration.ofSeconds(20))).isTrue();
            JsonNode t = awaitTask(id, x -> x.path("status").asText().equals("queued"), Duration.ofSeconds(10));
            assertThat(texts(id)).contains("got SIGTERM");
            api.post("/api/v1/tasks/" + id + "/abort", Json.object());
            assertThat(t.path("execution").path("attempt").asInt()).isGreaterThanOrEqualTo(1);
        } finally {
            other.stop(false);
        }
    }

    @Test
    void aStaleLeaseMakesTheAgentAbandonTheTaskWithoutReporting() throws Exception {
        Agent other = Agent.start(config("e2e-stale", "stale"));
        try {
            assertThat(other.awaitRegistered(Duration.ofSeconds(20))).isTrue();
            ObjectNode body = task("stale", "sleep.py", null, Map.of(), "stale");
            body.put("retries", 3);
            String id = create(body);
            String line = awaitLine(id, s -> s.startsWith("sleeping pid"), Duration.ofSeconds(60));
            long pid = Long.parseLong(line.substring("sleeping pid ".length()).trim());
            long epoch = get(id).path("lease").path("epoch").asLong();
            // the task moves on without this agent: handed back and claimed by another worker
            assertThat(controller.services().queue().release(id, epoch, "test: lease moved on")).isTrue();
            api.post("/api/v1/workers", Json.object().put("name", "thief").put("hostname", "h").put("pid", 1)
                    .put("version", "t").set("queues", Json.MAPPER.valueToTree(List.of("stale"))));
            JsonNode claim = api.post("/api/v1/workers/thief/claim",
                    Json.object().put("wait", 5).set("queues", Json.MAPPER.valueToTree(List.of("stale")))).orElseThrow();
            assertThat(claim.path("task").path("id").asText()).isEqualTo(id);
            assertThat(Procs.awaitGone(pid, Duration.ofSeconds(6))).as("abandoned task process killed").isTrue();
            Thread.sleep(1500);
            JsonNode t = get(id);
            assertThat(t.path("status").asText()).isEqualTo("running");
            assertThat(t.path("execution").path("worker").asText()).isEqualTo("thief");
            assertThat(texts(id)).doesNotContain("got SIGTERM"); // the stale agent's late lines were refused
        } finally {
            other.close();
        }
    }

    static long between(Instant from, JsonNode to) {
        return Duration.between(from, Instant.parse(to.asText())).toMillis();
    }

    @Test
    void pickupLatencyWithWarmRepoAndEnvironment() throws Exception {
        Procs.write(tmp, "unused", "");
        List<Long> ms = new ArrayList<>();
        for (int i = 0; i < 12; i++) {
            ObjectNode body = task("hello", "hello.py", null, Map.of(), "default");
            ((ObjectNode) body.get("script")).put("diff", """
                    diff --git a/hello.py b/hello.py
                    new file mode 100644
                    index 0000000..11b15b1
                    --- /dev/null
                    +++ b/hello.py
                    @@ -0,0 +1 @@
                    +print("hello")
                    """);
            Instant t0 = Instant.now();
            String id = create(body);
            String first = null;
            long deadline = System.nanoTime() + 30_000_000_000L;
            while (first == null && System.nanoTime() < deadline) {
                for (JsonNode l : logs(id)) {
                    if (l.path("text").asText().equals("hello")) {
                        first = l.path("ts").asText();
                        break;
                    }
                }
                if (first == null) Thread.sleep(10);
            }
            assertThat(first).isNotNull();
            ms.add(Duration.between(t0, Instant.parse(first)).toMillis());
            JsonNode done = awaitFinal(id, Duration.ofSeconds(30));
            JsonNode ex = done.path("execution");
            System.out.println("pickup breakdown ms: create→queued " + between(t0, ex.path("queuedAt"))
                    + ", queued→claimed " + between(Instant.parse(ex.path("queuedAt").asText()), ex.path("startedAt"))
                    + ", claimed→first line " + between(Instant.parse(ex.path("startedAt").asText()), Json.MAPPER.getNodeFactory().textNode(first)));
        }
        List<Long> warm = new ArrayList<>(ms.subList(2, ms.size()));
        warm.sort(null);
        long p50 = warm.get(warm.size() / 2);
        System.out.println("pickup latency enqueue→first line, ms (warm, sorted): " + warm + " p50=" + p50);
        assertThat(p50).as("p50 pickup ms").isLessThan(1500);
    }
}

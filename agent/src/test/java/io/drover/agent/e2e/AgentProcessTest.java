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
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.eclipse.jgit.api.Git;
import org.eclipse.jgit.lib.PersonIdent;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The agent as users run it ({@code drover agent …} in its own JVM) against an in-process
 * controller: killed with SIGKILL mid-task, and stopped with SIGTERM.
 */
class AgentProcessTest {
    @TempDir
    static Path tmp;

    static Controller controller;
    static Bootstrap.Result boot;
    static ApiClient api;
    static Path repo;
    static String commit;

    /** Sleeps on its first attempt (marker file absent), completes on the next. */
    static final String SLEEP_ONCE = """
            import os, signal, sys, time
            def term(*_):
                print("got SIGTERM", flush=True)
                sys.exit(143)
            signal.signal(signal.SIGTERM, term)
            marker = sys.argv[1]
            if os.path.exists(marker):
                print("second run", flush=True)
                sys.exit(0)
            open(marker, "w").close()
            print("sleeping pid", os.getpid(), flush=True)
            time.sleep(300)
            """;

    @BeforeAll
    static void start() throws Exception {
        controller = Controller.start(ControllerConfig.defaults().withPort(0).withDataDir(tmp.resolve("data"))
                .withHeartbeat(Duration.ofSeconds(1)).withLease(Duration.ofSeconds(4)));
        boot = controller.bootstrap();
        assertThat(boot).isNotNull();
        api = new ApiClient(controller.baseUrl(), boot.adminKey());
        // The agent process gets no key on its command line: it reads "agentKey" from $DROVER_HOME/config.json.
        Files.createDirectories(tmp.resolve("home"));
        Files.writeString(tmp.resolve("home").resolve("config.json"),
                Json.write(Map.of("apiKey", boot.adminKey(), "agentKey", boot.agentKey())));
        repo = tmp.resolve("repo");
        try (Git git = Git.init().setDirectory(repo.toFile()).setInitialBranch("main").call()) {
            Files.writeString(repo.resolve("sleep_once.py"), SLEEP_ONCE);
            git.add().addFilepattern(".").call();
            PersonIdent who = new PersonIdent("t", "t@example.com");
            commit = git.commit().setMessage("init").setAuthor(who).setCommitter(who).call().getName();
        }
    }

    @AfterAll
    static void stop() {
        if (controller != null) controller.close();
    }

    static Process agentJvm(String name, String queue) throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        ProcessBuilder pb = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"),
                "io.drover.agent.cli.DroverCli", "agent", "--controller", controller.baseUrl(), "--queue", queue,
                "--name", name, "--work-dir", tmp.resolve("agent-" + name).toString(), "--grace-seconds", "2")
                .redirectErrorStream(true).redirectOutput(tmp.resolve(name + ".log").toFile());
        pb.environment().put("DROVER_HOME", tmp.resolve("home").toString());
        pb.environment().remove("DROVER_API_KEY");
        return pb.start();
    }

    static String create(String queue, String marker) {
        ObjectNode body = Json.object().put("name", "sleep-once").put("queue", queue).put("enqueue", true).put("retries", 2);
        body.putObject("script").put("repo", repo.toString()).put("commit", commit).put("entryPoint", "sleep_once.py")
                .put("args", "'" + marker + "'");
        return api.post("/api/v1/tasks", body).orElseThrow().path("id").asText();
    }

    static List<String> texts(String id) {
        return api.get("/api/v1/tasks/" + id + "/logs?limit=1000").findValuesAsText("text");
    }

    static String awaitLine(String id, Predicate<String> match, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            for (String t : texts(id)) if (match.test(t)) return t;
            Thread.sleep(50);
        }
        throw new AssertionError("no matching log line in task " + id + ": " + texts(id));
    }

    static JsonNode awaitStatus(String id, String status, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        JsonNode t = api.get("/api/v1/tasks/" + id);
        while (!t.path("status").asText().equals(status) && System.nanoTime() < deadline) {
            Thread.sleep(50);
            t = api.get("/api/v1/tasks/" + id);
        }
        assertThat(t.path("status").asText()).as(t.toPrettyString()).isEqualTo(status);
        return t;
    }

    @Test
    void killDashNineOfTheAgentEndsItsTaskWhichASecondAgentThenCompletes() throws Exception {
        String id = create("kill", tmp.resolve("kill.marker").toString());
        Process jvm = agentJvm("e2e-killed", "kill");
        Agent second = null;
        try {
            String line = awaitLine(id, s -> s.startsWith("sleeping pid"), Duration.ofSeconds(90));
            long pid = Long.parseLong(line.substring("sleeping pid ".length()).trim());
            jvm.destroyForcibly(); // SIGKILL
            assertThat(jvm.waitFor(10, TimeUnit.SECONDS)).isTrue();
            assertThat(Procs.awaitGone(pid, Duration.ofSeconds(5))).as("task process ends with its agent").isTrue();

            second = Agent.start(AgentConfig.of(controller.baseUrl(), tmp.resolve("agent-second")).withName("e2e-second")
                    .withQueues(List.of("kill")).withGrace(Duration.ofSeconds(2)).withApiKey(boot.agentKey()));
            JsonNode t = awaitStatus(id, "completed", Duration.ofSeconds(60));
            assertThat(t.path("execution").path("worker").asText()).isEqualTo("e2e-second");
            assertThat(t.path("execution").path("attempt").asInt()).isEqualTo(2);
            assertThat(texts(id)).contains("second run");
        } finally {
            jvm.destroyForcibly();
            if (second != null) second.close();
        }
    }

    @Test
    void sigtermStopsTheTaskAndRequeuesIt() throws Exception {
        String id = create("term", tmp.resolve("term.marker").toString());
        Process jvm = agentJvm("e2e-termed", "term");
        try {
            awaitLine(id, s -> s.startsWith("sleeping pid"), Duration.ofSeconds(90));
            jvm.destroy(); // SIGTERM → shutdown hook
            assertThat(jvm.waitFor(20, TimeUnit.SECONDS)).isTrue();
            JsonNode t = awaitStatus(id, "queued", Duration.ofSeconds(5));
            assertThat(texts(id)).contains("got SIGTERM");
            assertThat(texts(id)).anyMatch(s -> s.contains("agent shut down"));
            assertThat(t.path("execution").path("attempt").asInt()).isEqualTo(1);
        } finally {
            jvm.destroyForcibly();
            api.post("/api/v1/tasks/" + id + "/abort", Json.object());
        }
    }

}

package io.drover.agent.faults;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.drover.agent.Agent;
import io.drover.agent.AgentConfig;
import io.drover.controller.Controller;
import io.drover.controller.auth.Bootstrap;
import io.drover.controller.config.ControllerConfig;
import io.drover.shared.client.ApiClient;
import io.drover.shared.json.Json;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.eclipse.jgit.api.Git;
import org.eclipse.jgit.lib.PersonIdent;

/**
 * What the fault tests share: an in-process controller with a short lease (heartbeat 1 s, lease
 * 4 s) on the embedded store with auth on, a git repository with a task that ticks, and agents
 * as users run them, in their own JVM or in-process.
 */
final class FaultRig implements AutoCloseable {
    static final Duration LEASE = Duration.ofSeconds(4);

    /**
     * First attempt (marker file absent): prints "tick N pid P" ten times a second for two
     * minutes, or until a file named like the marker plus ".stop" appears (then it succeeds).
     * Any later attempt prints "second run" and succeeds.
     */
    static final String TICKER = """
            import os, sys, time
            marker = sys.argv[1]
            if os.path.exists(marker):
                print("second run pid", os.getpid(), flush=True)
                sys.exit(0)
            open(marker, "w").close()
            pid = os.getpid()
            for i in range(1200):
                if os.path.exists(marker + ".stop"):
                    sys.exit(0)
                print("tick %d pid %d" % (i, pid), flush=True)
                time.sleep(0.1)
            sys.exit(7)
            """;

    static final Pattern TICK = Pattern.compile("tick (\\d+) pid (\\d+)");

    final Path tmp;
    final Controller controller;
    final Bootstrap.Result boot;
    final ApiClient api;
    final String commit;
    private final Path repo;

    FaultRig(Path tmp) throws Exception {
        this.tmp = tmp;
        controller = Controller.start(ControllerConfig.defaults().withPort(0).withDataDir(tmp.resolve("data"))
                .withHeartbeat(Duration.ofSeconds(1)).withLease(LEASE));
        boot = controller.bootstrap();
        assertThat(boot).isNotNull();
        api = new ApiClient(controller.baseUrl(), boot.adminKey());
        // an agent process reads its worker key ("agentKey") from $DROVER_HOME/config.json
        Files.createDirectories(tmp.resolve("home"));
        Files.writeString(tmp.resolve("home").resolve("config.json"),
                Json.write(Map.of("apiKey", boot.adminKey(), "agentKey", boot.agentKey())));
        repo = tmp.resolve("repo");
        try (Git git = Git.init().setDirectory(repo.toFile()).setInitialBranch("main").call()) {
            Files.writeString(repo.resolve("ticker.py"), TICKER);
            git.add().addFilepattern(".").call();
            PersonIdent who = new PersonIdent("t", "t@example.com");
            commit = git.commit().setMessage("init").setAuthor(who).setCommitter(who).call().getName();
        }
    }

    int controllerPort() {
        return java.net.URI.create(controller.baseUrl()).getPort();
    }

    /** {@code drover agent …} in its own JVM, as users run it. */
    Process agentProcess(String name, String queue) throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        ProcessBuilder pb = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"),
                "io.drover.agent.cli.DroverCli", "agent", "--controller", controller.baseUrl(), "--queue", queue,
                "--name", name, "--work-dir", tmp.resolve("agent-" + name).toString(), "--grace-seconds", "2")
                .redirectErrorStream(true).redirectOutput(tmp.resolve(name + ".log").toFile());
        pb.environment().put("DROVER_HOME", tmp.resolve("home").toString());
        pb.environment().remove("DROVER_API_KEY");
        return pb.start();
    }

    /** An in-process agent that reaches the controller at {@code url} (a proxy, or the controller itself). */
    Agent agent(String name, String queue, String url) throws InterruptedException {
        Agent a = Agent.start(AgentConfig.of(url, tmp.resolve("agent-" + name)).withName(name)
                .withQueues(List.of(queue)).withGrace(Duration.ofSeconds(2)).withApiKey(boot.agentKey()));
        assertThat(a.awaitRegistered(Duration.ofSeconds(30))).as("agent %s registered", name).isTrue();
        return a;
    }

    /** A ticker task on {@code queue}, enqueued; its marker file makes only the first attempt tick. */
    String createTicker(String queue, int retries) {
        ObjectNode body = Json.object().put("name", "ticker-" + queue).put("queue", queue).put("enqueue", true)
                .put("retries", retries);
        body.putObject("script").put("repo", repo.toString()).put("commit", commit).put("entryPoint", "ticker.py")
                .put("args", "'" + tmp.resolve(queue + ".marker") + "'");
        return api.post("/api/v1/tasks", body).orElseThrow().path("id").asText();
    }

    /** Makes the first attempt of the ticker on {@code queue} end by itself, successfully. */
    void stopTicker(String queue) throws java.io.IOException {
        Files.writeString(tmp.resolve(queue + ".marker.stop"), "");
    }

    JsonNode task(String id) {
        return api.get("/api/v1/tasks/" + id);
    }

    List<JsonNode> logs(String id) {
        List<JsonNode> out = new ArrayList<>();
        api.get("/api/v1/tasks/" + id + "/logs?limit=5000").path("lines").forEach(out::add);
        return out;
    }

    List<String> texts(String id) {
        return logs(id).stream().map(l -> l.path("text").asText()).toList();
    }

    /** The tick numbers stored for the process {@code pid}, in log order. */
    List<Integer> ticks(String id, long pid) {
        List<Integer> out = new ArrayList<>();
        for (String t : texts(id)) {
            Matcher m = TICK.matcher(t);
            if (m.matches() && Long.parseLong(m.group(2)) == pid) out.add(Integer.parseInt(m.group(1)));
        }
        return out;
    }

    /** Waits for a tick line numbered at least {@code atLeast}; returns the ticking process's pid. */
    long awaitTick(String id, int atLeast, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            for (String t : texts(id)) {
                Matcher m = TICK.matcher(t);
                if (m.matches() && Integer.parseInt(m.group(1)) >= atLeast) return Long.parseLong(m.group(2));
            }
            Thread.sleep(100);
        }
        throw new AssertionError("task " + id + " printed no tick " + atLeast + " in " + timeout + ": " + task(id).toPrettyString()
                + "\n" + texts(id));
    }

    JsonNode awaitTask(String id, Predicate<JsonNode> until, String what, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        JsonNode t = task(id);
        while (!until.test(t) && System.nanoTime() < deadline) {
            Thread.sleep(100);
            t = task(id);
        }
        assertThat(until.test(t)).as("task %s %s within %s; it is %s", id, what, timeout, t.toPrettyString()).isTrue();
        return t;
    }

    JsonNode awaitStatus(String id, String status, Duration timeout) throws InterruptedException {
        return awaitTask(id, t -> t.path("status").asText().equals(status), "reached " + status, timeout);
    }

    @Override
    public void close() {
        controller.close();
    }
}

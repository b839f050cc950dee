package io.drover.agent.e2e;

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
import org.eclipse.jgit.api.Git;
import org.eclipse.jgit.lib.PersonIdent;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real controller (auth on) and a real agent run a Python script that prints
 * {@code ::drover} lines: the metric series appear on the task (while it runs and at the end),
 * params are reported, tags are added, and every line, malformed ones included, stays in the console.
 */
class DirectiveEndToEndTest {
    static final Path MIRROR = Path.of("/opt/pypi/simple");

    @TempDir
    static Path tmp;
    static Controller controller;
    static ApiClient api;
    static Bootstrap.Result boot;
    static Agent agent;
    static Path repo;
    static String commit;

    static final String SCRIPT = """
            import time
            print("::drover param name=lr value=0.5", flush=True)
            print("::drover tag value=baseline", flush=True)
            for i in range(30):
                print("::drover metric name=loss series=train iter=%d value=%r" % (i, 1.0 / (i + 1)), flush=True)
            print("::drover metric name=loss iter=x value=1", flush=True)
            print("::drover metric name=acc iter=3 value=0.75", flush=True)
            time.sleep(2.5)
            print("::drover metric name=loss series=train iter=30 value=0.01", flush=True)
            print("done", flush=True)
            """;

    @BeforeAll
    static void start() throws Exception {
        controller = Controller.start(ControllerConfig.defaults().withPort(0).withDataDir(tmp.resolve("data"))
                .withHeartbeat(Duration.ofSeconds(1)).withLease(Duration.ofSeconds(4)));
        boot = controller.bootstrap();
        api = new ApiClient(controller.baseUrl(), boot.adminKey());
        repo = tmp.resolve("repo");
        try (Git git = Git.init().setDirectory(repo.toFile()).setInitialBranch("main").call()) {
            Files.writeString(repo.resolve("metrics.py"), SCRIPT);
            git.add().addFilepattern(".").call();
            PersonIdent who = new PersonIdent("t", "t@example.com");
            commit = git.commit().setMessage("init").setAuthor(who).setCommitter(who).call().getName();
        }
        Map<String, String> pip = Files.isDirectory(MIRROR) ? Map.of("PIP_INDEX_URL", MIRROR.toUri().toString()) : Map.of();
        agent = Agent.start(AgentConfig.of(controller.baseUrl(), tmp.resolve("agent")).withName("directives")
                .withQueues(List.of("default")).withGrace(Duration.ofSeconds(2)).withBuildEnv(pip).withApiKey(boot.agentKey()));
        assertThat(agent.awaitRegistered(Duration.ofSeconds(20))).isTrue();
    }

    @AfterAll
    static void stop() throws Exception {
        if (agent != null) agent.close();
        if (controller != null) controller.close();
    }

    @Test
    void metricLinesBecomeSeriesAndParamsWhileStayingLogLines() throws Exception {
        ObjectNode body = Json.object().put("name", "directives").put("project", "e2e").put("queue", "default").put("enqueue", true);
        body.putObject("script").put("repo", repo.toString()).put("branch", "main").put("commit", commit).put("entryPoint", "metrics.py");
        String id = api.post("/api/v1/tasks", body).orElseThrow().path("id").asText();

        // the first 30 points arrive while the script still sleeps (flushed within a second)
        long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
        JsonNode t = api.get("/api/v1/tasks/" + id);
        boolean seenWhileRunning = false;
        while (System.nanoTime() < deadline && !List.of("completed", "failed", "aborted").contains(t.path("status").asText())) {
            if (t.path("metrics").path("loss/train").path("iter").asLong(-1) == 29 && t.path("status").asText().equals("running")) {
                seenWhileRunning = true;
            }
            Thread.sleep(100);
            t = api.get("/api/v1/tasks/" + id);
        }
        assertThat(t.path("status").asText()).as(t.toPrettyString()).isEqualTo("completed");

        JsonNode loss = t.path("metrics").path("loss/train");
        assertThat(loss.path("last").asDouble()).isEqualTo(0.01);
        assertThat(loss.path("max").asDouble()).isEqualTo(1.0);
        assertThat(loss.path("iter").asLong()).isEqualTo(30);
        assertThat(t.path("metrics").path("acc").path("last").asDouble()).isEqualTo(0.75);
        assertThat(t.path("params").path("lr").asText()).isEqualTo("0.5");
        // '::drover tag value=baseline' went through POST /tasks/{id}/tags under the lease
        List<String> tags = new ArrayList<>();
        t.path("tags").forEach(x -> tags.add(x.asText()));
        assertThat(tags).containsExactly("baseline");

        JsonNode series = api.get("/api/v1/tasks/" + id + "/scalars/loss?variant=train");
        assertThat(series.path("count").asLong()).isEqualTo(31);
        assertThat(series.path("points").get(3).path("value").asDouble()).isEqualTo(0.25);

        List<String> lines = new ArrayList<>();
        api.get("/api/v1/tasks/" + id + "/logs?limit=1000").path("lines").forEach(l -> lines.add(l.path("text").asText()));
        assertThat(seenWhileRunning).as("points were posted while the task ran").isTrue();
        assertThat(lines).contains("::drover param name=lr value=0.5", "::drover tag value=baseline",
                "::drover metric name=loss iter=x value=1", "done");
    }
}

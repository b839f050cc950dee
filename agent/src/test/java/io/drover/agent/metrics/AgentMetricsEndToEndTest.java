package io.drover.agent.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.drover.agent.Agent;
import io.drover.agent.AgentConfig;
import io.drover.controller.Controller;
import io.drover.controller.config.ControllerConfig;
import io.drover.shared.client.ApiClient;
import io.drover.shared.json.Json;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.eclipse.jgit.api.Git;
import org.eclipse.jgit.lib.PersonIdent;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real agent with its metrics server on a free port runs a real task (Python process, log
 * lines, a {@code ::drover metric} line, an output file): /metrics scraped over HTTP before and
 * after shows the counters moved. The registry is per process, so the test compares differences.
 */
class AgentMetricsEndToEndTest {
    static final Path MIRROR = Path.of("/opt/pypi/simple");
    static final String SCRIPT = """
            import os
            for i in range(5):
                print("line %d" % i, flush=True)
            print("::drover metric name=loss iter=1 value=0.5", flush=True)
            with open(os.path.join(os.environ["DROVER_OUTPUT_DIR"], "result.txt"), "w") as f:
                f.write("ok\\n")
            """;

    @TempDir
    static Path tmp;
    static Controller controller;
    static ApiClient api;
    static Agent agent;
    static MetricsServer server;
    static Path repo;
    static String commit;
    static final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @BeforeAll
    static void start() throws Exception {
        controller = Controller.start(ControllerConfig.defaults().withPort(0).withDataDir(tmp.resolve("data")).withAuth(false)
                .withHeartbeat(Duration.ofSeconds(1)).withLease(Duration.ofSeconds(5)));
        api = new ApiClient(controller.baseUrl(), null);
        repo = tmp.resolve("repo");
        try (Git git = Git.init().setDirectory(repo.toFile()).setInitialBranch("main").call()) {
            Files.writeString(repo.resolve("job.py"), SCRIPT);
            git.add().addFilepattern(".").call();
            PersonIdent who = new PersonIdent("t", "t@example.com");
            commit = git.commit().setMessage("init").setAuthor(who).setCommitter(who).call().getName();
        }
        server = MetricsServer.start("127.0.0.1", 0);
        Map<String, String> pip = Files.isDirectory(MIRROR) ? Map.of("PIP_INDEX_URL", MIRROR.toUri().toString()) : Map.of();
        agent = Agent.start(AgentConfig.of(controller.baseUrl(), tmp.resolve("agent")).withName("metrics-agent")
                .withQueues(List.of("metrics")).withGrace(Duration.ofSeconds(2)).withBuildEnv(pip));
        assertThat(agent.awaitRegistered(Duration.ofSeconds(20))).isTrue();
    }

    @AfterAll
    static void stop() throws Exception {
        if (agent != null) agent.close();
        if (server != null) server.close();
        if (controller != null) controller.close();
    }

    @Test
    void aTaskRunMovesTheCountersOnTheScrapedEndpoint() throws Exception {
        String before = scrape();
        assertThat(value(before, "drover_agent_slots_total")).isGreaterThanOrEqualTo(1);
        assertThat(before).contains("jvm_memory_used_bytes", "# TYPE drover_agent_claims_total counter");

        ObjectNode body = Json.object().put("name", "metrics").put("queue", "metrics").put("enqueue", true);
        body.putObject("script").put("repo", repo.toString()).put("branch", "main").put("commit", commit).put("entryPoint", "job.py");
        body.putObject("environment").put("manager", "system"); // the agent's own python: no venv to build
        String id = api.post("/api/v1/tasks", body).orElseThrow().path("id").asText();
        JsonNode t = awaitFinal(id);
        assertThat(t.path("status").asText()).as(t.toPrettyString()).isEqualTo("completed");
        // the duration is observed when the slot is given back, just after the finish
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        String after = scrape();
        while (value(after, "drover_agent_task_run_duration_seconds_count") <= value(before, "drover_agent_task_run_duration_seconds_count")
                && System.nanoTime() < deadline) {
            Thread.sleep(100);
            after = scrape();
        }

        assertThat(delta(before, after, "drover_agent_claims_total{result=\"claimed\"}")).isEqualTo(1);
        assertThat(delta(before, after, "drover_agent_task_runs_total{status=\"completed\"}")).isEqualTo(1);
        assertThat(delta(before, after, "drover_agent_task_run_duration_seconds_count")).isEqualTo(1);
        assertThat(delta(before, after, "drover_agent_env_cache_total{result=\"hit\"}")
                + delta(before, after, "drover_agent_env_cache_total{result=\"miss\"}")).isEqualTo(1);
        assertThat(delta(before, after, "drover_agent_log_lines_shipped_total")).isGreaterThanOrEqualTo(6); // 5 lines + the directive
        assertThat(delta(before, after, "drover_agent_log_bytes_shipped_total")).isGreaterThanOrEqualTo(5 * "line 0".length());
        assertThat(delta(before, after, "drover_agent_artifact_uploads_total{result=\"ok\"}")).isEqualTo(1);
        assertThat(value(after, "drover_agent_slots_busy")).isZero();
        assertThat(after).contains("drover_agent_heartbeat_failures_total", "drover_agent_delivery_failures_total{kind=\"logs\"}",
                "drover_agent_env_build_duration_seconds_bucket");

        HttpResponse<String> health = get("/health");
        assertThat(health.statusCode()).isEqualTo(200);
        assertThat(health.body()).contains("\"ok\"");
        assertThat(get("/nope").statusCode()).isEqualTo(404);
    }

    @Test
    void answersOnlyGetAndHead() throws Exception {
        HttpResponse<String> post = http.send(HttpRequest.newBuilder(URI.create(server.url() + "/metrics"))
                .POST(HttpRequest.BodyPublishers.ofString("x")).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(post.statusCode()).isEqualTo(405);
        HttpResponse<Void> head = http.send(HttpRequest.newBuilder(URI.create(server.url() + "/metrics"))
                .method("HEAD", HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.discarding());
        assertThat(head.statusCode()).isEqualTo(200);
        assertThat(server.loopback()).isTrue();
        assertThat(MetricsOptions.describe(server)).isEqualTo("metrics at " + server.url() + "/metrics");
    }

    static JsonNode awaitFinal(String id) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(45).toNanos();
        JsonNode t = api.get("/api/v1/tasks/" + id);
        while (System.nanoTime() < deadline && !List.of("completed", "failed", "aborted").contains(t.path("status").asText())) {
            Thread.sleep(100);
            t = api.get("/api/v1/tasks/" + id);
        }
        return t;
    }

    static HttpResponse<String> get(String path) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(server.url() + path)).timeout(Duration.ofSeconds(10)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    static String scrape() throws Exception {
        HttpResponse<String> r = get("/metrics");
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.headers().firstValue("Content-Type")).hasValueSatisfying(v -> assertThat(v).startsWith("text/plain"));
        return r.body();
    }

    /** The value of one series line ({@code name} or {@code name{labels}}); 0 when absent. */
    static double value(String exposition, String series) {
        Matcher m = Pattern.compile("(?m)^" + Pattern.quote(series) + " (\\S+)").matcher(exposition);
        return m.find() ? Double.parseDouble(m.group(1)) : 0;
    }

    static double delta(String before, String after, String series) {
        return value(after, series) - value(before, series);
    }
}

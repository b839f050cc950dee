package io.drover.agent.gpu;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.drover.agent.Agent;
import io.drover.agent.AgentConfig;
import io.drover.agent.cli.git.TestRepos;
import io.drover.agent.daemon.ParallelConfig;
import io.drover.controller.Controller;
import io.drover.controller.config.ControllerConfig;
import io.drover.shared.client.ApiClient;
import io.drover.shared.json.Json;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.eclipse.jgit.api.Git;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Room freed by a finishing task is offered at once: on an agent handing out one GPU (a FAKE
 * nvidia-smi prints the real H100 fixture), a 1-GPU task queued behind a running 1-GPU task is
 * claimed within tens of milliseconds of the first one ending, not when the claim poll made
 * while the GPU was busy (CPU tasks only) runs out. Real controller, real agent, real Python.
 */
@Timeout(120)
class GpuClaimGapTest {
    @TempDir
    static Path tmp;
    static Controller controller;
    static ApiClient api;
    static Path repo;
    static String commit;
    static Path fakeSmi;
    static final List<Agent> agents = new ArrayList<>();

    /** Appends its name to a log file (so a task run twice shows), then sleeps. */
    static final String TASK = """
            import sys, time
            name, log, secs = sys.argv[1], sys.argv[2], float(sys.argv[3])
            with open(log, "a") as f:
                f.write(name + "\\n")
            time.sleep(secs)
            """;

    @BeforeAll
    static void start() throws Exception {
        controller = Controller.start(ControllerConfig.defaults().withPort(0).withDataDir(tmp.resolve("data"))
                .withHeartbeat(Duration.ofSeconds(1)).withLease(Duration.ofSeconds(10)).withAuth(false));
        api = new ApiClient(controller.baseUrl(), null);
        repo = tmp.resolve("repo");
        try (Git git = TestRepos.init(repo, "task.py", TASK)) {
            commit = git.getRepository().resolve("HEAD").getName();
        }
        fakeSmi = GpuAgentEndToEndTest.fakeNvidiaSmi(tmp.resolve("bin"));
    }

    @AfterAll
    static void stop() throws Exception {
        for (Agent a : agents) a.close();
        if (controller != null) controller.close();
    }

    /** One GPU (index 0 of the fake two), one CPU-only slot, the default 20 s claim long-poll. */
    static void oneGpuAgent(String name, String queue) throws Exception {
        AgentConfig cfg = AgentConfig.of(controller.baseUrl(), tmp.resolve("agent-" + name)).withName(name)
                .withQueues(List.of(queue)).withGrace(Duration.ofSeconds(2)).withClaimWaitSeconds(20);
        Agent a = Agent.start(cfg, ParallelConfig.defaults().withGpus(GpuSelection.parse("0")).withNvidiaSmi(fakeSmi.toString()));
        agents.add(a);
        assertThat(a.awaitRegistered(Duration.ofSeconds(30))).isTrue();
    }

    static String submit(String name, String queue, int gpus, Path log, double seconds) {
        ObjectNode b = Json.object().put("name", name).put("project", "gap").put("queue", queue).put("enqueue", true);
        b.putObject("resources").put("gpus", gpus);
        b.putObject("script").put("repo", repo.toString()).put("commit", commit).put("entryPoint", "task.py")
                .put("args", name + " " + log + " " + seconds);
        return api.post("/api/v1/tasks", b).orElseThrow().path("id").asText();
    }

    static JsonNode awaitEnded(String id) throws InterruptedException {
        long end = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        JsonNode t = api.get("/api/v1/tasks/" + id);
        while (!List.of("completed", "failed", "aborted").contains(t.path("status").asText()) && System.nanoTime() < end) {
            Thread.sleep(50);
            t = api.get("/api/v1/tasks/" + id);
        }
        assertThat(t.path("status").asText()).as("task %s: %s", id, t).isEqualTo("completed");
        return t;
    }

    static Instant at(JsonNode t, String field) {
        return Instant.parse(t.path("execution").path(field).asText());
    }

    @Test
    void aQueuedGpuTaskStartsRightAfterTheRunningOneFreesTheGpu() throws Exception {
        oneGpuAgent("gap", "gap");
        Path log = tmp.resolve("gap.log");
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < 10; i++) ids.add(submit("g" + i, "gap", 1, log, 0.2));
        List<JsonNode> done = new ArrayList<>();
        for (String id : ids) done.add(awaitEnded(id));
        done.sort((x, y) -> at(x, "startedAt").compareTo(at(y, "startedAt")));
        List<Long> gaps = new ArrayList<>();
        for (int i = 1; i < done.size(); i++) {
            Instant prevEnd = at(done.get(i - 1), "finishedAt");
            Instant start = at(done.get(i), "startedAt");
            assertThat(start).as("one GPU: task %d started only after task %d ended", i, i - 1).isAfterOrEqualTo(prevEnd);
            gaps.add(Duration.between(prevEnd, start).toMillis());
        }
        List<Long> sorted = new ArrayList<>(gaps);
        sorted.sort(null);
        long median = sorted.get(sorted.size() / 2);
        long wall = Duration.between(at(done.get(0), "startedAt"), at(done.get(done.size() - 1), "finishedAt")).toMillis();
        System.out.printf("10 sequential 1-GPU tasks (sleep 0.2) on a 1-GPU agent: wall %d ms, gaps end->next start %s ms,"
                + " median %d ms, max %d ms%n", wall, gaps, median, sorted.get(sorted.size() - 1));
        assertThat(gaps.get(0)).as("the second task starts within 500 ms of the first one ending (gaps %s)", gaps).isLessThan(500);
        assertThat(median).as("median gap (gaps %s)", gaps).isLessThan(500);
        assertThat(Files.readAllLines(log)).hasSize(10).doesNotHaveDuplicates();
    }

    /**
     * Tasks enqueued exactly as room frees: each time a GPU task ends, the test enqueues at once a
     * CPU task (which the poll made while the GPU was busy could claim just as it is abandoned)
     * and the next GPU task. None is lost (each completes on its first attempt, no lease had to
     * expire) and none runs twice.
     */
    @Test
    void tasksEnqueuedAsRoomFreesAreNeitherLostNorRunTwice() throws Exception {
        oneGpuAgent("race", "race");
        Path log = tmp.resolve("race.log");
        int rounds = 6;
        List<String> all = new ArrayList<>();
        Map<String, String> names = new HashMap<>();
        String gpu = submit("gpu0", "race", 1, log, 0.1);
        all.add(gpu);
        for (int i = 1; i <= rounds; i++) {
            // watch the running GPU task closely: enqueue the moment its end is recorded
            long end = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (!"completed".equals(api.get("/api/v1/tasks/" + gpu).path("status").asText())) {
                assertThat(System.nanoTime()).as("gpu task %s never completed", gpu).isLessThan(end);
                Thread.sleep(2);
            }
            all.add(submit("cpu" + i, "race", 0, log, 0.05));
            if (i < rounds) {
                gpu = submit("gpu" + i, "race", 1, log, 0.1);
                all.add(gpu);
            }
        }
        Set<String> seen = new HashSet<>();
        for (String id : all) {
            JsonNode t = awaitEnded(id);
            assertThat(t.path("execution").path("attempt").asInt()).as("ran on its first attempt, no lease expired: %s", t).isEqualTo(1);
            seen.add(t.path("name").asText());
            names.put(id, t.path("name").asText());
        }
        List<String> ran = Files.readAllLines(log);
        assertThat(ran).as("each task ran exactly once").hasSize(all.size()).doesNotHaveDuplicates();
        assertThat(new HashSet<>(ran)).isEqualTo(seen);
    }
}

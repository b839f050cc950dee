package io.drover.agent.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.drover.agent.cli.git.TestRepos;
import io.drover.controller.Controller;
import io.drover.controller.config.ControllerConfig;
import io.drover.shared.client.ApiClient;
import io.drover.shared.json.Json;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The CLI run in-process against a real controller (embedded store, HTTP on port 0). No agent
 * runs: where a test needs one, it plays the agent through the HTTP protocol itself.
 */
class CliAgainstControllerTest {
    @TempDir
    static Path tmp;

    static Controller controller;
    static Map<String, String> env;
    static ApiClient api;
    static Path repo;

    @BeforeAll
    static void start() throws Exception {
        // Not about access control (it plays the agent by hand): auth off; CliAuthTest and CliEndToEndTest run with it on.
        controller = Controller.start(ControllerConfig.defaults().withPort(0).withDataDir(tmp.resolve("data")).withAuth(false));
        Path home = Files.createDirectories(tmp.resolve("home"));
        // The URL reaches the CLI only through $DROVER_HOME/config.json, as after 'drover up'.
        Files.writeString(home.resolve("config.json"), "{\"controller\":\"" + controller.baseUrl() + "\"}");
        env = Map.of("DROVER_HOME", home.toString());
        api = new ApiClient(controller.baseUrl(), null);
        repo = tmp.resolve("repo");
        TestRepos.init(repo, "train.py", "import argparse\nprint('hello')\n", "requirements.txt", "six\n").close();
        TestRepos.write(repo, "train.py", "import argparse\nprint('hello, changed')\n", "notes/new.txt", "untracked\n");
    }

    @AfterAll
    static void stop() {
        if (controller != null) controller.close();
    }

    static String submit(String project, String... extra) {
        List<String> args = new java.util.ArrayList<>(List.of("submit", repo.toString(), "--script", "train.py", "--project", project));
        args.addAll(List.of(extra));
        CliRun r = CliRun.of(env, args.toArray(String[]::new));
        assertThat(r.code()).as(r.err()).isZero();
        return r.lastLine();
    }

    @Test
    void submitFromASubdirectoryRunsFromThereLikeTheUserDid() {
        CliRun r = CliRun.of(env, "submit", repo.resolve("notes").toString(), "--script", "new.txt", "--project", "p-subdir");
        assertThat(r.code()).as(r.err()).isZero();
        JsonNode s = showJson(r.lastLine()).path("script");
        assertThat(s.path("workingDir").asText()).isEqualTo("notes");
        assertThat(s.path("entryPoint").asText()).isEqualTo("new.txt");
        // a script above the submitted directory runs from the repository root instead
        r = CliRun.of(env, "submit", repo.resolve("notes").toString(), "--script", "../train.py", "--project", "p-subdir");
        assertThat(r.code()).as(r.err()).isZero();
        s = showJson(r.lastLine()).path("script");
        assertThat(s.path("workingDir").asText()).isEqualTo(".");
        assertThat(s.path("entryPoint").asText()).isEqualTo("train.py");
    }

    static JsonNode showJson(String id) {
        CliRun r = CliRun.of(env, "show", id, "--json");
        assertThat(r.code()).as(r.err()).isZero();
        return Json.parse(r.out());
    }

    @Test
    void submitWithoutAgentQueuesTheTaskWithEverythingCaptured() throws Exception {
        String id = submit("p-submit", "--name", "first", "--args", "--epochs 3", "--param", "lr=0.5",
                "--param", "layers=2", "--priority", "5", "--retries", "2", "--queue", "gpu");
        assertThat(id).matches("[0-9a-f]{24}");

        JsonNode t = showJson(id);
        assertThat(t.path("id").asText()).isEqualTo(id);
        assertThat(t.path("name").asText()).isEqualTo("first");
        assertThat(t.path("project").asText()).isEqualTo("p-submit");
        assertThat(t.path("status").asText()).isEqualTo("queued");
        assertThat(t.path("queue").asText()).isEqualTo("gpu");
        assertThat(t.path("priority").asInt()).isEqualTo(5);
        assertThat(t.path("retries").asInt()).isEqualTo(2);
        assertThat(t.path("params").path("lr").asText()).isEqualTo("0.5");
        assertThat(t.path("params").path("layers").asText()).isEqualTo("2");
        JsonNode s = t.path("script");
        assertThat(s.path("repo").asText()).isEqualTo(repo.toRealPath().toString());
        assertThat(s.path("branch").asText()).isEqualTo("main");
        assertThat(s.path("commit").asText()).hasSize(40);
        assertThat(s.path("entryPoint").asText()).isEqualTo("train.py");
        assertThat(s.path("workingDir").asText()).isEqualTo(".");
        assertThat(s.path("args").asText()).isEqualTo("--epochs 3");
        assertThat(s.path("requirements").asText()).isEqualTo("requirements.txt");
        assertThat(s.path("hasDiff").asBoolean()).isTrue();
        String diff = api.get(ClientCommand.V1 + "/tasks/" + id + "/diff").path("diff").asText();
        assertThat(diff).contains("+print('hello, changed')").contains("notes/new.txt");

        // ids start with 8 hex of creation seconds, so a prefix needs random characters after them to be unique
        CliRun human = CliRun.of(env, "show", id.substring(0, 16));
        assertThat(human.code()).as(human.err()).isZero();
        assertThat(human.out()).contains(id).contains("queued").contains("gpu").contains("lr").contains("python train.py --epochs 3");
    }

    @Test
    void lsListsTasksAsATableAndAsJson() {
        String a = submit("p-ls");
        String b = submit("p-ls", "--name", "second");
        CliRun table = CliRun.of(env, "ls", "--project", "p-ls");
        assertThat(table.code()).as(table.err()).isZero();
        assertThat(table.outLines().get(0)).startsWith("ID").contains("NAME", "PROJECT", "STATUS", "QUEUE", "CREATED");
        assertThat(table.outLines().get(1)).startsWith(b).contains("second", "queued"); // newest first
        assertThat(table.outLines().get(2)).startsWith(a).contains("train");

        CliRun json = CliRun.of(env, "ls", "--project", "p-ls", "--status", "queued", "--json");
        assertThat(json.code()).as(json.err()).isZero();
        JsonNode page = Json.parse(json.out());
        assertThat(page.path("items")).extracting(n -> n.path("id").asText()).containsExactly(b, a);
        assertThat(Json.parse(CliRun.of(env, "ls", "--project", "p-ls", "--status", "running", "--json").out())
                .path("items")).isEmpty();
    }

    @Test
    void cloneOverridesParamsAndAbortStopsAQueuedTask() {
        String id = submit("p-clone", "--param", "lr=0.5", "--param", "seed=1");
        CliRun c = CliRun.of(env, "clone", id, "--param", "lr=0.7", "--name", "again");
        assertThat(c.code()).as(c.err()).isZero();
        String copy = c.lastLine();
        assertThat(copy).matches("[0-9a-f]{24}").isNotEqualTo(id);
        JsonNode t = showJson(copy);
        assertThat(t.path("parentId").asText()).isEqualTo(id);
        assertThat(t.path("status").asText()).isEqualTo("queued");
        assertThat(t.path("name").asText()).isEqualTo("again");
        assertThat(t.path("params").path("lr").asText()).isEqualTo("0.7");
        assertThat(t.path("params").path("seed").asText()).isEqualTo("1");

        CliRun abort = CliRun.of(env, "abort", copy);
        assertThat(abort.code()).as(abort.err()).isZero();
        assertThat(abort.out()).contains("Aborted task " + copy);
        assertThat(showJson(copy).path("status").asText()).isEqualTo("aborted");

        CliRun again = CliRun.of(env, "abort", copy);
        assertThat(again.code()).isEqualTo(ExitCodes.ERROR);
        assertThat(again.err()).startsWith("error: ").doesNotContain("Exception");
    }

    @Test
    void unknownTaskIsOneErrorLine() {
        CliRun r = CliRun.of(env, "show", "0123456789abcdef01234567");
        assertThat(r.code()).isEqualTo(ExitCodes.ERROR);
        assertThat(r.err()).startsWith("error: ").contains("not found");
    }

    @Test
    void queuesAndWorkersList() {
        submit("p-queues", "--queue", "q-list");
        CliRun q = CliRun.of(env, "queues", "--json");
        assertThat(q.code()).as(q.err()).isZero();
        assertThat(Json.parse(q.out()).path("items")).anySatisfy(n -> {
            assertThat(n.path("name").asText()).isEqualTo("q-list");
            assertThat(n.path("depth").asInt()).isEqualTo(1);
        });
        CliRun table = CliRun.of(env, "queues");
        assertThat(table.out()).contains("QUEUE").contains("q-list");
        CliRun w = CliRun.of(env, "workers", "--json");
        assertThat(w.code()).as(w.err()).isZero();
        assertThat(Json.parse(w.out()).has("items")).isTrue();
    }

    /** submit --wait streams stdout/stderr lines as the (hand-played) agent ships them and exits with the task's code. */
    @Test
    void submitWaitStreamsLogsAndExitsWithTheTaskExitCode() throws Exception {
        String queue = "q-wait";
        CompletableFuture<CliRun> waiting = CompletableFuture.supplyAsync(() -> CliRun.of(env,
                "submit", repo.toString(), "--script", "train.py", "--project", "p-wait", "--queue", queue, "--wait"));

        api.post(ClientCommand.V1 + "/workers", Json.MAPPER.valueToTree(Map.of("name", "fake-agent",
                "queues", List.of(queue), "hostname", "test", "pid", 1, "version", "test")));
        JsonNode claim = null;
        for (int i = 0; i < 20 && claim == null; i++) {
            claim = api.post(ClientCommand.V1 + "/workers/fake-agent/claim", Json.MAPPER.valueToTree(
                    Map.of("queues", List.of(queue), "fairness", false, "wait", 1)), Duration.ofSeconds(10)).orElse(null);
        }
        assertThat(claim).as("claimed the submitted task").isNotNull();
        String id = claim.path("task").path("id").asText();
        long epoch = claim.path("lease").path("epoch").asLong();
        String now = Instant.now().toString();
        api.post(ClientCommand.V1 + "/tasks/" + id + "/logs", Json.MAPPER.valueToTree(Map.of("epoch", epoch, "batch", 1,
                "lines", List.of(Map.of("ts", now, "stream", "stdout", "text", "epoch 1 loss 0.5"),
                        Map.of("ts", now, "stream", "stderr", "text", "warning: slow"),
                        Map.of("ts", now, "stream", "stdout", "text", "epoch 2 loss 0.25")))));
        Thread.sleep(300);
        api.post(ClientCommand.V1 + "/tasks/" + id + "/finish", Json.MAPPER.valueToTree(
                Map.of("epoch", epoch, "status", "failed", "exitCode", 3, "reason", "boom")));

        CliRun r = waiting.get(60, TimeUnit.SECONDS);
        assertThat(r.code()).as(r.err()).isEqualTo(3);
        assertThat(r.outLines()).containsSubsequence("epoch 1 loss 0.5", "epoch 2 loss 0.25");
        assertThat(r.lastLine()).isEqualTo(id);
        assertThat(r.err()).contains("warning: slow").contains("task " + id + " failed (exit code 3)");

        CliRun logs = CliRun.of(env, "logs", id);
        assertThat(logs.code()).isZero();
        assertThat(logs.outLines()).containsExactly("epoch 1 loss 0.5", "epoch 2 loss 0.25");
        assertThat(logs.err()).contains("warning: slow");
    }
}

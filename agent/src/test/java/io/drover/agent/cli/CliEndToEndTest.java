package io.drover.agent.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.drover.agent.Agent;
import io.drover.agent.AgentConfig;
import io.drover.agent.cli.git.TestRepos;
import io.drover.controller.Controller;
import io.drover.controller.auth.Bootstrap;
import io.drover.controller.config.ControllerConfig;
import io.drover.shared.json.Json;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The user's path end to end: the CLI in-process, a real controller (auth on) and a real agent
 * running real python3 processes on a git repository with uncommitted and untracked changes.
 */
class CliEndToEndTest {
    static final String QUEUE = "cli-e2e";

    @TempDir
    static Path tmp;

    static Controller controller;
    static Agent agent;
    static Map<String, String> env;
    static Path repo;

    @BeforeAll
    static void start() throws Exception {
        // Auth ON, as the quick start runs: the agent uses the first start's worker key, the CLI the admin's key.
        controller = Controller.start(ControllerConfig.defaults().withPort(0).withDataDir(tmp.resolve("data")));
        Bootstrap.Result boot = controller.bootstrap();
        assertThat(boot).isNotNull();
        agent = Agent.start(AgentConfig.of(controller.baseUrl(), tmp.resolve("agent")).withQueues(List.of(QUEUE)).withName("cli-e2e")
                .withApiKey(boot.agentKey()));
        assertThat(agent.awaitRegistered(Duration.ofSeconds(30))).isTrue();
        env = Map.of("DROVER_HOME", tmp.resolve("home").toString(), "DROVER_CONTROLLER", controller.baseUrl(),
                "DROVER_API_KEY", boot.adminKey());
        repo = tmp.resolve("repo");
        TestRepos.init(repo,
                "train.py", "import argparse\np = argparse.ArgumentParser()\np.add_argument('--lr', type=float, default=0.1)\n"
                        + "a = p.parse_args()\nprint('committed version', a.lr)\n",
                "fail.py", "import sys\nprint('about to fail', flush=True)\nprint('bad input', file=sys.stderr)\nsys.exit(3)\n",
                "sleepy.py", "import time\nprint('sleeping', flush=True)\ntime.sleep(120)\n").close();
        // What the user has on disk and never committed: the agent must run exactly this.
        TestRepos.write(repo,
                "train.py", "import argparse\nimport helper\np = argparse.ArgumentParser()\np.add_argument('--lr', type=float, default=0.1)\n"
                        + "a = p.parse_args()\nprint(f'lr={a.lr} type={type(a.lr).__name__} helper={helper.X}')\n",
                "helper.py", "X = 42\n");
    }

    @AfterAll
    static void stop() throws Exception {
        if (agent != null) agent.close();
        if (controller != null) controller.close();
    }

    static CliRun drover(String... args) {
        return CliRun.of(env, args);
    }

    @Test
    void submitWaitRunsTheCodeOnDiskWithItsParamsAndCloneChangesThem() {
        CliRun r = drover("submit", repo.toString(), "--script", "train.py", "--queue", QUEUE, "--param", "lr=0.5", "--wait");
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.out()).contains("lr=0.5 type=float helper=42").doesNotContain("committed version");
        String id = r.lastLine();
        assertThat(id).matches("[0-9a-f]{24}");
        assertThat(r.err()).contains("task " + id + " completed (exit code 0)");

        CliRun c = drover("clone", id.substring(0, 16), "--param", "lr=0.7", "--wait");
        assertThat(c.code()).as(c.err()).isZero();
        assertThat(c.out()).contains("lr=0.7 type=float helper=42");
        JsonNode copy = Json.parse(drover("show", c.lastLine(), "--json").out());
        assertThat(copy.path("status").asText()).isEqualTo("completed");
        assertThat(copy.path("parentId").asText()).isEqualTo(id);
        assertThat(copy.path("params").path("lr").asText()).isEqualTo("0.7");
        assertThat(copy.path("execution").path("worker").asText()).isEqualTo("cli-e2e");
    }

    @Test
    void aFailingScriptsExitCodeAndStderrComeBack() {
        CliRun r = drover("submit", repo.toString(), "--script", "fail.py", "--queue", QUEUE, "--wait");
        assertThat(r.code()).as(r.err()).isEqualTo(3);
        assertThat(r.out()).contains("about to fail");
        assertThat(r.err()).contains("bad input").contains("failed (exit code 3)");
        assertThat(drover("ls", "--status", "failed").out()).contains(r.lastLine());
    }

    @Test
    void abortStopsARunningTaskAndTheWaiterExits130() throws Exception {
        CompletableFuture<CliRun> waiter = CompletableFuture.supplyAsync(() ->
                drover("submit", repo.toString(), "--script", "sleepy.py", "--queue", QUEUE, "--wait"));
        String id = null;
        for (int i = 0; i < 300 && id == null; i++) {
            JsonNode running = Json.parse(drover("ls", "--status", "running", "--queue", QUEUE, "--json").out()).path("items");
            for (JsonNode t : running) {
                if (drover("logs", t.path("id").asText()).out().contains("sleeping")) id = t.path("id").asText();
            }
            if (id == null) Thread.sleep(100);
        }
        assertThat(id).as("the sleepy task printed its first line").isNotNull();
        long t0 = System.nanoTime();
        CliRun a = drover("abort", id);
        assertThat(a.code()).as(a.err()).isZero();
        CliRun w = waiter.get(60, TimeUnit.SECONDS);
        assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(15));
        assertThat(w.code()).as(w.err()).isEqualTo(ExitCodes.ABORTED);
        assertThat(w.lastLine()).isEqualTo(id);
        assertThat(Json.parse(drover("show", id, "--json").out()).path("status").asText()).isEqualTo("aborted");
    }
}

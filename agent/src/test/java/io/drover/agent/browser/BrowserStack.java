package io.drover.agent.browser;

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
import java.util.Set;
import org.eclipse.jgit.api.Git;
import org.eclipse.jgit.lib.PersonIdent;
import org.openqa.selenium.support.ui.FluentWait;

/**
 * What the browser tests drive: a real controller with auth on (its bootstrap admin logs in
 * through the login page), a real agent on the default queue with the bootstrap worker key, and
 * a git repository with the tasks' Python scripts.
 */
final class BrowserStack implements AutoCloseable {
    static final Set<String> FINAL = Set.of("completed", "failed", "aborted");
    private static final Path MIRROR = Path.of("/opt/pypi/simple");

    /**
     * The task the scenarios run: prints its parameters, then {@code ticks} lines "tick i" at
     * {@code delay} seconds apart, each with a {@code ::drover metric} point of "loss", and
     * through the Python client {@code points} points of "acc".
     */
    static final String TICKER = """
            import argparse, sys, time
            ap = argparse.ArgumentParser()
            ap.add_argument("--lr", type=float, default=0.1)
            ap.add_argument("--epochs", type=int, default=3)
            ap.add_argument("--ticks", type=int, default=0)
            ap.add_argument("--delay", type=float, default=0.0)
            ap.add_argument("--points", type=int, default=0)
            a = ap.parse_args()
            print(f"params lr={a.lr} epochs={a.epochs}", flush=True)
            for i in range(a.ticks):
                print(f"tick {i}", flush=True)
                print(f"::drover metric name=loss iter={i} value={1.0 / (i + 1)}", flush=True)
                time.sleep(a.delay)
            if a.points:
                import drover
                d = drover.init()
                for i in range(a.points):
                    d.log_scalar("acc", i / a.points, iter=i)
                d.close()
            print("finished", flush=True)
            """;

    final Controller controller;
    final Bootstrap.Result boot;
    final ApiClient admin;
    final Agent agent;
    final Path repo;

    private BrowserStack(Controller controller, Bootstrap.Result boot, ApiClient admin, Agent agent, Path repo) {
        this.controller = controller;
        this.boot = boot;
        this.admin = admin;
        this.agent = agent;
        this.repo = repo;
    }

    static BrowserStack start(Path tmp) throws Exception {
        Path repo = tmp.resolve("repo");
        try (Git g = Git.init().setDirectory(repo.toFile()).setInitialBranch("main").call()) {
            Files.writeString(repo.resolve("ticker.py"), TICKER);
            g.add().addFilepattern(".").call();
            PersonIdent who = new PersonIdent("t", "t@example.com");
            g.commit().setMessage("init").setAuthor(who).setCommitter(who).call();
        }
        Controller controller = Controller.start(ControllerConfig.defaults().withPort(0).withDataDir(tmp.resolve("data"))
                .withHeartbeat(Duration.ofSeconds(1)).withLease(Duration.ofSeconds(10)));
        Agent agent = null;
        try {
            Bootstrap.Result boot = controller.bootstrap();
            ApiClient admin = new ApiClient(controller.baseUrl(), boot.adminKey());
            Map<String, String> pip = Files.isDirectory(MIRROR) ? Map.of("PIP_INDEX_URL", MIRROR.toUri().toString()) : Map.of();
            agent = Agent.start(AgentConfig.of(controller.baseUrl(), tmp.resolve("agent")).withName("browser-agent")
                    .withQueues(List.of("default")).withGrace(Duration.ofSeconds(2)).withBuildEnv(pip).withApiKey(boot.agentKey()));
            if (!agent.awaitRegistered(Duration.ofSeconds(20))) throw new IllegalStateException("the agent did not register");
            return new BrowserStack(controller, boot, admin, agent, repo);
        } catch (Exception | Error e) {
            if (agent != null) agent.close();
            controller.close();
            throw e;
        }
    }

    /** Creates a ticker task (queued when {@code enqueue}) in {@code project} with these params; its id. */
    String submit(String project, String name, Map<String, String> params, boolean enqueue) {
        ObjectNode body = Json.object().put("name", name).put("project", project).put("enqueue", enqueue);
        ObjectNode p = body.putObject("params");
        params.forEach(p::put);
        body.putObject("script").put("repo", repo.toString()).put("branch", "main").put("entryPoint", "ticker.py");
        return admin.post("/api/v1/tasks", body).orElseThrow().path("id").asText();
    }

    JsonNode task(String id) {
        return admin.get("/api/v1/tasks/" + id);
    }

    /** Waits (API polling, ≤ 120 s: a cold agent may build an environment) until the task is final. */
    JsonNode awaitFinal(String id) {
        return new FluentWait<>(this).withTimeout(Duration.ofSeconds(120)).pollingEvery(Duration.ofMillis(100))
                .withMessage(() -> "task " + id + " did not finish: " + task(id).path("status").asText())
                .until(s -> {
                    JsonNode t = s.task(id);
                    return FINAL.contains(t.path("status").asText()) ? t : null;
                });
    }

    /** Waits (API polling, ≤ 120 s) until the task has reached {@code status} or gone past it. */
    void awaitStatus(String id, String status) {
        new FluentWait<>(this).withTimeout(Duration.ofSeconds(120)).pollingEvery(Duration.ofMillis(50))
                .withMessage(() -> "task " + id + " did not reach " + status + ": " + task(id).path("status").asText())
                .until(s -> {
                    String now = s.task(id).path("status").asText();
                    return now.equals(status) || FINAL.contains(now);
                });
    }

    List<String> logs(String id) {
        List<String> out = new ArrayList<>();
        admin.get("/api/v1/tasks/" + id + "/logs?limit=1000").path("lines").forEach(l -> out.add(l.path("text").asText()));
        return out;
    }

    /** Posts {@code n} points of metric/variant as a user (the laptop route), for tasks that never run. */
    void points(String id, String metric, int n, double scale) {
        ObjectNode body = Json.object();
        var pts = body.putArray("points");
        for (int i = 0; i < n; i++) pts.addObject().put("metric", metric).put("iter", i).put("value", scale * (i + 1));
        admin.post("/api/v1/tasks/" + id + "/scalars/user", body);
    }

    @Override
    public void close() throws Exception {
        try {
            agent.close();
        } finally {
            controller.close();
        }
    }
}

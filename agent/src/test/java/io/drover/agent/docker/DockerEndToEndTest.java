package io.drover.agent.docker;

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
 * Docker mode through the whole loop: a real controller in-process, a real agent, tasks whose
 * {@code container} names the test Python image (Podman's Docker API here). The task's console,
 * {@code ::drover} directives, secret masking, params capture, artifacts and abort all work as in
 * process mode, and the agent itself is never installed in the image.
 */
class DockerEndToEndTest {
    static final String SECRET = "sk-docker-5e1f9c";

    @TempDir
    static Path tmp;
    static Controller controller;
    static ApiClient api;
    static Agent agent;
    static Path repo;
    static String image;

    @BeforeAll
    static void start() throws Exception {
        DockerEngine engine = DockerTestSupport.engine();
        image = DockerTestSupport.pythonImage();
        controller = Controller.start(ControllerConfig.defaults().withPort(0).withDataDir(tmp.resolve("data"))
                .withHeartbeat(Duration.ofSeconds(1)).withLease(Duration.ofSeconds(10)));
        Bootstrap.Result boot = controller.bootstrap();
        api = new ApiClient(controller.baseUrl(), boot.adminKey());
        repo = tmp.resolve("repo");
        try (Git g = Git.init().setDirectory(repo.toFile()).setInitialBranch("main").call()) {
            Files.writeString(repo.resolve("train.py"), """
                    import argparse, os, sys, pathlib
                    p = argparse.ArgumentParser(); p.add_argument('--lr', type=float, default=0.1); a = p.parse_args()
                    print('in container:', os.path.exists('/run/.containerenv') or os.path.exists('/.dockerenv'))
                    print('python', sys.executable)
                    print('secret', os.environ['API_TOKEN'])
                    print('::drover metric name=loss iter=0 value=0.5')
                    print('::drover metric name=loss iter=1 value=0.25')
                    out = pathlib.Path(os.environ['DROVER_OUTPUT_DIR']); out.mkdir(parents=True, exist_ok=True)
                    (out / 'result.txt').write_text('lr=%s' % a.lr)
                    import importlib.util
                    print('drover agent package in image:', importlib.util.find_spec('io') is not None and
                          os.path.exists('/usr/lib/python3.11/site-packages/drover'))
                    """);
            Files.writeString(repo.resolve("sleep.py"), "import time\nprint('sleeping', flush=True)\ntime.sleep(120)\n");
            g.add().addFilepattern(".").call();
            PersonIdent who = new PersonIdent("t", "t@example.com");
            g.commit().setMessage("init").setAuthor(who).setCommitter(who).call();
        }
        api.post("/api/v1/projects", Json.object().put("name", "dock"));
        api.put("/api/v1/projects/dock/secrets/API_TOKEN", Json.object().put("value", SECRET));
        agent = Agent.start(AgentConfig.of(controller.baseUrl(), tmp.resolve("agent")).withName("docker-agent")
                .withGrace(Duration.ofSeconds(2)).withApiKey(boot.agentKey())
                .withDocker(DockerSettings.defaults().withDockerHost(engine.host())));
        assertThat(agent.awaitRegistered(Duration.ofSeconds(20))).isTrue();
    }

    @AfterAll
    static void stop() throws Exception {
        if (agent != null) agent.close();
        if (controller != null) controller.close();
        if (agent != null) {
            assertThat(DockerEngineTest.idsWhenGone(DockerTestSupport.engine().client(), "docker-agent")).as("no container left").isEmpty();
        }
    }

    static String create(String entry, String args, ObjectNode container) {
        ObjectNode body = Json.object().put("name", entry).put("project", "dock").put("queue", "default").put("enqueue", true);
        ObjectNode script = body.putObject("script").put("repo", repo.toString()).put("branch", "main").put("entryPoint", entry);
        if (args != null) script.put("args", args);
        body.set("container", container);
        return api.post("/api/v1/tasks", body).orElseThrow().path("id").asText();
    }

    static ObjectNode container(String... args) {
        ObjectNode c = Json.object().put("image", image).put("pullPolicy", "never");
        var a = c.putArray("args");
        for (String s : args) a.add(s);
        return c;
    }

    static JsonNode awaitStatus(String id, List<String> wanted) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(180).toNanos();
        JsonNode t = api.get("/api/v1/tasks/" + id);
        while (!wanted.contains(t.path("status").asText()) && System.nanoTime() < deadline) {
            Thread.sleep(100);
            t = api.get("/api/v1/tasks/" + id);
        }
        return t;
    }

    static List<String> logs(String id) {
        List<String> out = new ArrayList<>();
        api.get("/api/v1/tasks/" + id + "/logs?limit=1000").path("lines").forEach(l -> out.add(l.path("text").asText()));
        return out;
    }

    @Test
    void aTaskRunsInItsImageWithDirectivesSecretsParamsAndArtifacts() throws Exception {
        String id = create("train.py", "--lr 0.01", container("--shm-size=64m"));
        JsonNode t = awaitStatus(id, List.of("completed", "failed", "aborted"));
        List<String> lines = logs(id);
        assertThat(t.path("status").asText()).as(String.join("\n", lines)).isEqualTo("completed");
        assertThat(lines).contains("in container: True", "secret ***", "drover agent package in image: False");
        assertThat(lines).anyMatch(l -> l.startsWith("python " + tmp.resolve("agent/envs")));
        assertThat(lines).anyMatch(l -> l.contains("Docker mode: image " + image));
        assertThat(lines).noneMatch(l -> l.contains(SECRET));
        JsonNode after = api.get("/api/v1/tasks/" + id);
        assertThat(after.path("params").path("lr").asText()).isEqualTo("0.01");
        assertThat(after.path("artifacts").toString()).contains("result.txt");
        assertThat(after.path("metrics").path("loss").path("last").asDouble()).isEqualTo(0.25);
        assertThat(after.path("captured").path("environment").path("manager").asText()).isEqualTo("docker-pip");
    }

    @Test
    void aRefusedDockerArgumentFailsTheTaskWithTheReason() throws Exception {
        String id = create("train.py", null, container("--privileged"));
        JsonNode t = awaitStatus(id, List.of("completed", "failed", "aborted"));
        assertThat(t.path("status").asText()).isEqualTo("failed");
        assertThat(t.path("statusReason").asText()).contains("--privileged is not allowed for tasks");
    }

    @Test
    void aMissingImageWithPullPolicyNeverFailsTheTaskSayingWhatToDo() throws Exception {
        ObjectNode c = Json.object().put("image", "localhost/drover-absent:1").put("pullPolicy", "never");
        String id = create("train.py", null, c);
        JsonNode t = awaitStatus(id, List.of("completed", "failed", "aborted"));
        assertThat(t.path("status").asText()).isEqualTo("failed");
        assertThat(t.path("statusReason").asText()).contains("localhost/drover-absent:1").contains("pullPolicy is never");
    }

    @Test
    void abortStopsAndRemovesTheContainer() throws Exception {
        String id = create("sleep.py", null, container());
        awaitStatus(id, List.of("running"));
        long end = System.nanoTime() + Duration.ofSeconds(120).toNanos();
        while (!logs(id).contains("sleeping") && System.nanoTime() < end) Thread.sleep(100);
        assertThat(DockerEngineTest.ids(DockerTestSupport.engine().client(), "docker-agent")).as("the task runs in a container").isNotEmpty();
        long t0 = System.nanoTime();
        api.post("/api/v1/tasks/" + id + "/abort", Json.object().put("reason", "enough"));
        JsonNode t = awaitStatus(id, List.of("completed", "failed", "aborted"));
        assertThat(t.path("status").asText()).isEqualTo("aborted");
        assertThat((System.nanoTime() - t0) / 1e9).as("grace 2 s, loosely").isLessThan(60);
        end = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (!DockerEngineTest.ids(DockerTestSupport.engine().client(), "docker-agent").isEmpty() && System.nanoTime() < end) {
            Thread.sleep(100);
        }
        assertThat(DockerEngineTest.ids(DockerTestSupport.engine().client(), "docker-agent")).isEmpty();
    }
}

package io.drover.agent.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.drover.agent.cli.git.TestRepos;
import io.drover.controller.Controller;
import io.drover.controller.config.ControllerConfig;
import io.drover.shared.client.ApiClient;
import io.drover.shared.json.Json;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Issue 5 in the CLI against a real controller: submit --gpus/--env-manager/--python/--docker, show, workers' GPU table. */
class CliGpuTest {
    @TempDir
    static Path tmp;
    static Controller controller;
    static Map<String, String> env;
    static ApiClient api;
    static Path repo;

    @BeforeAll
    static void start() throws Exception {
        controller = Controller.start(ControllerConfig.defaults().withPort(0).withDataDir(tmp.resolve("data")).withAuth(false));
        Path home = Files.createDirectories(tmp.resolve("home"));
        Files.writeString(home.resolve("config.json"), "{\"controller\":\"" + controller.baseUrl() + "\"}");
        env = Map.of("DROVER_HOME", home.toString());
        api = new ApiClient(controller.baseUrl(), null);
        repo = tmp.resolve("repo");
        TestRepos.init(repo, "train.py", "print('hello')\n").close();
    }

    @AfterAll
    static void stop() {
        if (controller != null) controller.close();
    }

    @Test
    void submitCarriesGpusEnvironmentAndContainerAndShowPrintsThem() {
        CliRun r = CliRun.of(env, "submit", repo.toString(), "--script", "train.py", "--gpus", "2", "--env-manager", "uv",
                "--python", "3.11", "--docker", "pytorch/pytorch:2.4.0", "--docker-arg", "--shm-size=1g", "--docker-pull", "always");
        assertThat(r.code()).as(r.err()).isZero();
        String id = r.lastLine();
        CliRun json = CliRun.of(env, "show", id, "--json");
        JsonNode t = Json.parse(json.out());
        assertThat(t.path("resources").path("gpus").asInt()).isEqualTo(2);
        assertThat(t.path("environment").path("manager").asText()).isEqualTo("uv");
        assertThat(t.path("environment").path("python").asText()).isEqualTo("3.11");
        assertThat(t.path("container").path("image").asText()).isEqualTo("pytorch/pytorch:2.4.0");
        assertThat(t.path("container").path("args").get(0).asText()).isEqualTo("--shm-size=1g");
        assertThat(t.path("container").path("pullPolicy").asText()).isEqualTo("always");

        CliRun show = CliRun.of(env, "show", id);
        assertThat(show.out()).containsPattern("gpus +2")
                .containsPattern("environment +uv, python 3.11")
                .containsPattern("docker +pytorch/pytorch:2.4.0  args --shm-size=1g  pull always");
    }

    @Test
    void wrongValuesAreNamedByTheController() {
        CliRun r = CliRun.of(env, "submit", repo.toString(), "--script", "train.py", "--env-manager", "npm");
        assertThat(r.code()).isNotZero();
        assertThat(r.err()).contains("'environment.manager' must be one of auto, pip, uv, poetry, conda, system");
        r = CliRun.of(env, "submit", repo.toString(), "--script", "train.py", "--gpus", "-1");
        assertThat(r.code()).isNotZero();
        assertThat(r.err()).contains("--gpus must be 0 or more");
        r = CliRun.of(env, "submit", repo.toString(), "--script", "train.py", "--docker-arg", "--shm-size=1g");
        assertThat(r.err()).contains("--docker-arg and --docker-pull need --docker IMAGE");
    }

    @Test
    void workersShowsEachGpuAndTheTaskHoldingIt() {
        ObjectNode reg = Json.object().put("name", "gpu-box").put("hostname", "box").put("pid", 1).put("version", "test");
        reg.putArray("queues").add("default");
        api.post("/api/v1/workers", reg);
        ObjectNode hb = Json.object();
        ObjectNode stats = hb.putObject("stats").put("cpuPercent", 5.0).put("memUsedMb", 100).put("memTotalMb", 1000);
        var gpus = stats.putArray("gpus");
        gpus.addObject().put("index", 0).put("uuid", "GPU-a").put("name", "NVIDIA H100 80GB HBM3").put("util", 100.0)
                .put("memUsedMb", 1011).put("memTotalMb", 81559).put("tempC", 63.0).put("powerW", 693.78).put("taskId", "abc123");
        gpus.addObject().put("index", 1).put("uuid", "GPU-b").put("name", "NVIDIA H100 80GB HBM3").put("util", 0.0)
                .put("memUsedMb", 0).put("memTotalMb", 81559).put("tempC", 38.0).putNull("powerW").putNull("taskId");
        hb.putArray("tasks");
        api.post("/api/v1/workers/gpu-box/heartbeat", hb);
        CliRun r = CliRun.of(env, "workers");
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.out()).containsPattern("gpu-box +0 +NVIDIA H100 80GB HBM3 +100% +1011/81559 MB +63°C +694 W +abc123")
                .containsPattern("gpu-box +1 +NVIDIA H100 80GB HBM3 +0% +0/81559 MB +38°C +n/a +free");
    }
}

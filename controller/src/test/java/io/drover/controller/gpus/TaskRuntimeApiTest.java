package io.drover.controller.gpus;

import static io.drover.controller.testing.Tasks.task;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.drover.controller.Controller;
import io.drover.controller.testing.Api;
import io.drover.shared.json.Json;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 5's task fields over real HTTP: resources.gpus, environment, container in POST /tasks,
 * clone and the task JSON; execution.gpus from the agent's report; the claim's GPU fit.
 */
class TaskRuntimeApiTest {
    @TempDir
    static Path dir;
    static Controller controller;
    static Api api;

    @BeforeAll
    static void start() throws Exception {
        controller = Controller.start(io.drover.controller.testing.TestConfig.forTest(dir).withAuth(false));
        api = new Api(controller.baseUrl());
    }

    @AfterAll
    static void stop() {
        controller.close();
    }

    @Test
    void defaultsWhenAbsent() {
        JsonNode t = api.ok("/tasks", task("plain"));
        assertThat(t.path("resources").path("gpus").asInt()).isZero();
        assertThat(t.path("environment").path("manager").asText()).isEqualTo("auto");
        assertThat(t.path("environment").path("python").isNull()).isTrue();
        assertThat(t.path("container").isNull()).isTrue();
        assertThat(t.path("execution").path("gpus").isArray()).isTrue();
        assertThat(t.path("execution").path("gpus").size()).isZero();
    }

    @Test
    void acceptedShownAndKeptByClone() {
        ObjectNode b = task("gpu-job");
        b.putObject("resources").put("gpus", 2);
        b.putObject("environment").put("manager", "uv").put("python", "3.11");
        ObjectNode c = b.putObject("container").put("image", "pytorch/pytorch:2.4.0-cuda12.1").put("pullPolicy", "always");
        c.putArray("args").add("--shm-size=1g");
        JsonNode t = api.ok("/tasks", b);
        assertThat(t.path("resources").path("gpus").asInt()).isEqualTo(2);
        assertThat(t.path("environment").path("manager").asText()).isEqualTo("uv");
        assertThat(t.path("environment").path("python").asText()).isEqualTo("3.11");
        assertThat(t.path("container").path("image").asText()).isEqualTo("pytorch/pytorch:2.4.0-cuda12.1");
        assertThat(t.path("container").path("args").get(0).asText()).isEqualTo("--shm-size=1g");
        assertThat(t.path("container").path("pullPolicy").asText()).isEqualTo("always");
        String id = t.path("id").asText();
        assertThat(api.okGet("/tasks/" + id).path("resources").path("gpus").asInt()).isEqualTo(2);

        JsonNode same = api.ok("/tasks/" + id + "/clone", Json.object());
        assertThat(same.path("resources").path("gpus").asInt()).isEqualTo(2);
        assertThat(same.path("environment").path("manager").asText()).isEqualTo("uv");
        assertThat(same.path("container").path("image").asText()).isEqualTo("pytorch/pytorch:2.4.0-cuda12.1");

        ObjectNode change = Json.object();
        change.putObject("resources").put("gpus", 1);
        change.putObject("environment").put("manager", "pip"); // python kept from the source
        change.putNull("container");
        JsonNode other = api.ok("/tasks/" + id + "/clone", change);
        assertThat(other.path("resources").path("gpus").asInt()).isEqualTo(1);
        assertThat(other.path("environment").path("manager").asText()).isEqualTo("pip");
        assertThat(other.path("environment").path("python").asText()).isEqualTo("3.11");
        assertThat(other.path("container").isNull()).isTrue();
    }

    @Test
    void wrongValuesAreRefusedWithTheFieldNamed() {
        assertBad(with("resources", Json.object().put("gpus", -1)), "'resources.gpus' must be a whole number of GPUs between 0 and 64, got -1");
        assertBad(with("resources", Json.object().put("gpus", "two")), "'resources.gpus' must be a whole number");
        assertBad(with("resources", Json.object().put("cpus", 2)), "unknown field 'resources.cpus'");
        assertBad(task("x").put("resources", 2), "'resources' must be an object");
        assertBad(with("environment", Json.object().put("manager", "npm")), "'environment.manager' must be one of auto, pip, uv, poetry, conda, system");
        assertBad(with("environment", Json.object().put("python", "latest")), "'environment.python' must be a Python version like 3.11");
        assertBad(with("container", Json.object().put("pullPolicy", "always")), "'container.image' is required");
        assertBad(with("container", Json.object().put("image", "python:3.11; rm -rf /")), "is not an image reference");
        assertBad(with("container", Json.object().put("image", "python:3.11").put("pullPolicy", "sometimes")),
                "'container.pullPolicy' must be missing, always or never");
        ObjectNode badArgs = Json.object().put("image", "python:3.11");
        badArgs.putArray("args").add(3);
        assertBad(with("container", badArgs), "'container.args' entry 3 must be a non-empty string");
        String id = api.ok("/tasks", task("src")).path("id").asText();
        Api.Res r = api.post("/tasks/" + id + "/clone", with(Json.object(), "resources", Json.object().put("gpus", 100)));
        assertThat(r.status()).isEqualTo(400);
        assertThat(r.body()).contains("'resources.gpus' must be a whole number of GPUs between 0 and 64, got 100");
    }

    @Test
    void aClaimHandsOnlyTasksFittingTheFreeGpusAndTheReportRecordsWhichOnes() {
        ObjectNode reg = Json.object().put("name", "gpu-box").put("hostname", "box").put("pid", 1).put("version", "test");
        reg.putArray("queues").add("gpuq");
        api.ok("/workers", reg);
        ObjectNode two = task("two").put("queue", "gpuq").put("enqueue", true);
        two.putObject("resources").put("gpus", 2);
        String twoId = api.ok("/tasks", two).path("id").asText();
        ObjectNode one = task("one").put("queue", "gpuq").put("enqueue", true);
        one.putObject("resources").put("gpus", 1);
        String oneId = api.ok("/tasks", one).path("id").asText();

        // no "gpus" in the body: the agent has none, so neither is handed out
        assertThat(api.post("/workers/gpu-box/claim", claim(0, null)).status()).isEqualTo(204);
        Api.Res c1 = api.post("/workers/gpu-box/claim", claim(1, 1));
        assertThat(c1.status()).isEqualTo(200);
        assertThat(c1.json().path("task").path("id").asText()).isEqualTo(oneId);
        assertThat(api.post("/workers/gpu-box/claim", claim(1, 1)).status()).isEqualTo(204);
        Api.Res c2 = api.post("/workers/gpu-box/claim", claim(0, 2));
        assertThat(c2.json().path("task").path("id").asText()).isEqualTo(twoId);

        long epoch = c2.json().path("lease").path("epoch").asLong();
        ObjectNode rep = Json.object().put("epoch", epoch);
        rep.putArray("gpus").add(0).add(1);
        assertThat(api.ok("/tasks/" + twoId + "/report", rep).path("execution").path("gpus").toString()).isEqualTo("[0,1]");
        ObjectNode bad = Json.object().put("epoch", epoch);
        bad.putArray("gpus").add(0).add(0);
        Api.Res r = api.post("/tasks/" + twoId + "/report", bad);
        assertThat(r.status()).isEqualTo(400);
        assertThat(r.body()).contains("distinct whole numbers");
        Api.Res tooMany = api.post("/workers/gpu-box/claim", claim(0, 1).put("minGpus", 2));
        assertThat(tooMany.status()).isEqualTo(400);
    }

    private static ObjectNode claim(int wait, Integer gpus) {
        ObjectNode b = Json.object().put("wait", wait);
        b.putArray("queues").add("gpuq");
        if (gpus != null) b.put("gpus", gpus);
        return b;
    }

    private static ObjectNode with(String field, JsonNode value) {
        return with(task("x"), field, value);
    }

    private static ObjectNode with(ObjectNode b, String field, JsonNode value) {
        b.set(field, value);
        return b;
    }

    private static void assertBad(ObjectNode body, String message) {
        Api.Res r = api.post("/tasks", body);
        assertThat(r.status()).as(body.toString()).isEqualTo(400);
        assertThat(r.body()).contains(message);
    }
}

package io.drover.controller.workers;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.drover.controller.Controller;
import io.drover.controller.testing.Api;
import io.drover.controller.testing.TestConfig;
import io.drover.shared.json.Json;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Worker history over real HTTP: GPU stats in heartbeats, {@code GET /workers/{name}/stats}, gpus and runningTasks in the list. */
class WorkerStatsApiTest {
    @TempDir
    static Path dir;
    static Controller controller;
    static Api api;

    @BeforeAll
    static void start() throws Exception {
        controller = Controller.start(TestConfig.forTest(dir).withAuth(false));
        api = new Api(controller.baseUrl());
    }

    @AfterAll
    static void stop() {
        controller.close();
    }

    static ObjectNode stats(double cpu, int util) {
        ObjectNode s = Json.object().put("cpuPercent", cpu).put("memUsedMb", 900).put("memTotalMb", 16000).put("diskFreeMb", 5000);
        ArrayNode gpus = s.putArray("gpus");
        gpus.addObject().put("index", 0).put("uuid", "GPU-aaaa").put("name", "NVIDIA H100").put("util", util).put("memUsedMb", 1200)
                .put("memTotalMb", 81559).put("tempC", 41).put("powerW", 120.5).putNull("taskId");
        gpus.addObject().put("index", 1).put("uuid", "GPU-bbbb").put("name", "NVIDIA H100").put("util", 0).put("memUsedMb", 0)
                .put("memTotalMb", 81559).put("tempC", 30).put("powerW", 60).putNull("taskId");
        return s;
    }

    static JsonNode find(String name) {
        for (JsonNode w : api.okGet("/workers").path("items")) if (w.path("name").asText().equals(name)) return w;
        throw new AssertionError("worker " + name + " not listed");
    }

    @Test
    void heartbeatStatsWithGpusAreKeptAndListed() throws Exception {
        ObjectNode reg = Json.object().put("name", "gpu-box").put("hostname", "box").put("pid", 1).put("version", "t");
        reg.putArray("queues").add("gpu");
        reg.set("stats", stats(5, 0));
        api.ok("/workers", reg);
        api.ok("/workers/gpu-box/heartbeat", Json.object().set("stats", stats(50, 87)));

        JsonNode items = api.okGet("/workers/gpu-box/stats?minutes=60").path("items");
        assertThat(items.size()).isBetween(1, 2); // register and heartbeat may share one heartbeat slot
        JsonNode last = items.get(items.size() - 1);
        assertThat(last.path("cpuPercent").asDouble()).isEqualTo(50);
        assertThat(last.path("memTotalMb").asLong()).isEqualTo(16000);
        assertThat(last.path("ts").asText()).endsWith("Z");
        assertThat(last.path("gpus")).hasSize(2);
        assertThat(last.path("gpus").get(0).path("util").asInt()).isEqualTo(87);
        assertThat(last.path("gpus").get(0).path("uuid").asText()).isEqualTo("GPU-aaaa");
        assertThat(last.path("diskFreeMb").isMissingNode()).isTrue(); // the history keeps the documented fields only

        JsonNode w = find("gpu-box");
        assertThat(w.path("gpus")).hasSize(2);
        assertThat(w.path("gpus").get(1).path("memTotalMb").asLong()).isEqualTo(81559);
        assertThat(w.path("runningTasks").isArray()).isTrue();
        assertThat(w.path("stats").path("gpus")).hasSize(2);

        assertThat(api.get("/workers/nobody/stats").status()).isEqualTo(404);
        assertThat(api.get("/workers/gpu-box/stats?minutes=61").status()).isEqualTo(400);
        assertThat(api.get("/workers/gpu-box/stats?minutes=0").status()).isEqualTo(400);
        Api.Res bad = api.post("/workers/gpu-box/heartbeat", Json.object().set("stats", Json.object().put("gpus", "H100")));
        assertThat(bad.status()).isEqualTo(400);
        assertThat(bad.errorMessage()).contains("gpus");
        ObjectNode badUtil = Json.object();
        badUtil.putObject("stats").putArray("gpus").addObject().put("index", 0).put("util", "high");
        assertThat(api.post("/workers/gpu-box/heartbeat", badUtil).errorMessage()).contains("util");
    }

    @Test
    void runningTasksFollowClaimsHeartbeatsAndFinish() {
        ObjectNode reg = Json.object().put("name", "runner").put("hostname", "box").put("pid", 1).put("version", "t");
        reg.putArray("queues").add("rq");
        api.ok("/workers", reg);
        ObjectNode t = io.drover.controller.testing.Tasks.task("r").put("queue", "rq").put("enqueue", true);
        String id = api.ok("/tasks", t).path("id").asText();
        ObjectNode claim = Json.object().put("wait", 5);
        claim.putArray("queues").add("rq");
        JsonNode c = api.ok("/workers/runner/claim", claim);
        long epoch = c.path("lease").path("epoch").asLong();
        assertThat(find("runner").path("runningTasks")).extracting(JsonNode::asText).containsExactly(id);
        assertThat(find("runner").path("gpus")).isEmpty();

        ObjectNode hb = Json.object();
        hb.putArray("tasks").addObject().put("taskId", id).put("epoch", epoch);
        api.ok("/workers/runner/heartbeat", hb);
        assertThat(find("runner").path("runningTasks")).extracting(JsonNode::asText).containsExactly(id);

        api.ok("/tasks/" + id + "/finish", Json.object().put("epoch", epoch).put("status", "completed").put("exitCode", 0));
        assertThat(find("runner").path("runningTasks")).isEmpty();
    }
}

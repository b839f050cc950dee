package io.drover.agent.pyclient;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.drover.controller.Controller;
import io.drover.controller.auth.Bootstrap;
import io.drover.controller.config.ControllerConfig;
import io.drover.shared.client.ApiClient;
import io.drover.shared.json.Json;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The Python client's {@code log_plot}/{@code log_text}/{@code log_config} outside an agent, run by a real python3 (auth on). */
class PythonReportsTest {
    @TempDir
    static Path tmp;
    static Controller controller;
    static ApiClient admin;
    static String userKey;

    @BeforeAll
    static void start() throws Exception {
        controller = Controller.start(ControllerConfig.defaults().withPort(0).withDataDir(tmp.resolve("data")));
        Bootstrap.Result boot = controller.bootstrap();
        admin = new ApiClient(controller.baseUrl(), boot.adminKey());
        admin.post("/api/v1/users", Json.object().put("username", "alice").put("password", "alice-password-123"));
        userKey = admin.post("/api/v1/keys", Json.object().put("name", "laptop").put("kind", "user").put("user", "alice"))
                .orElseThrow().path("key").asText();
    }

    @AfterAll
    static void stop() {
        if (controller != null) controller.close();
    }

    static String run(String script, String controllerUrl) throws Exception {
        Path work = Files.createDirectories(tmp.resolve("w" + System.nanoTime()));
        Files.writeString(work.resolve("t.py"), script);
        ProcessBuilder pb = new ProcessBuilder(List.of("python3", "t.py")).directory(work.toFile()).redirectErrorStream(true);
        pb.environment().keySet().removeIf(k -> k.startsWith("DROVER_"));
        pb.environment().putAll(Map.of("PYTHONPATH", PythonTagsTest.clientDir().toString(), "DROVER_CONTROLLER", controllerUrl,
                "DROVER_API_KEY", userKey, "DROVER_HOME", tmp.resolve("no-home").toString()));
        Process p = pb.start();
        String out;
        try (InputStream in = p.getInputStream()) {
            out = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(out).isZero();
        return out;
    }

    @Test
    void aLaptopRunLogsPlotsTextsAndConfigs() throws Exception {
        String out = run("""
                import drover
                d = drover.init(project="reports", name="r")
                print("plot", d.log_plot("loss", "line", {"x": [1, 2], "y": [0.5, 0.25]}, iter=2, series="train"))
                print("bad", d.log_plot("pie", "pie", {}))
                print("text", d.log_text("summary", "# done", iter=3))
                print("cfg", d.log_config("train", {"lr": 0.1}))
                print("cfg2", d.log_config("env", "a: 1\\n", format="yaml"))
                print("flushed", d.flush())
                print("task", d.id)
                """, controller.baseUrl());
        assertThat(out).contains("plot True", "bad False", "text True", "cfg True", "cfg2 True", "flushed True").contains("kind must be one of");
        String id = out.lines().filter(l -> l.startsWith("task ")).findFirst().orElseThrow().substring(5);
        JsonNode plot = admin.get("/api/v1/tasks/" + id + "/plots/1");
        assertThat(plot.path("title").asText()).isEqualTo("loss");
        assertThat(plot.path("series").asText()).isEqualTo("train");
        assertThat(plot.path("spec").path("y").get(1).asDouble()).isEqualTo(0.25);
        assertThat(admin.get("/api/v1/tasks/" + id + "/plots").path("items")).hasSize(1);
        assertThat(admin.get("/api/v1/tasks/" + id + "/texts/1").path("text").asText()).isEqualTo("# done");
        JsonNode cfg = admin.get("/api/v1/tasks/" + id + "/configs/train");
        assertThat(cfg.path("format").asText()).isEqualTo("json");
        assertThat(Json.parse(cfg.path("content").asText()).path("lr").asDouble()).isEqualTo(0.1);
        assertThat(admin.get("/api/v1/tasks/" + id + "/configs/env").path("format").asText()).isEqualTo("yaml");
    }
}

package io.drover.controller.reports;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.drover.controller.Controller;
import io.drover.controller.testing.Api;
import io.drover.controller.testing.TestConfig;
import io.drover.shared.json.Json;
import java.net.URI;
import java.net.http.HttpRequest;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The plots, texts and configs routes with auth ON: who may write through which route, and who may read. */
class ReportAccessTest {
    @TempDir
    static Path dir;
    static Controller controller;
    static Api api;
    static String admin;
    static String task;

    @BeforeAll
    static void start() throws Exception {
        controller = Controller.start(TestConfig.forTest(dir));
        api = new Api(controller.baseUrl());
        admin = controller.bootstrap().adminKey();
        String owner = user("olivia");
        user("max");
        user("vera");
        user("sam");
        task = call("POST", "/tasks", Json.object().put("name", "t").put("project", "p1")
                .set("script", Json.object().put("repo", "https://example.com/r.git").put("entryPoint", "train.py")), owner)
                .json().path("id").asText();
        assertThat(task).isNotBlank();
        call("PUT", "/projects/p1/members/max", Json.object().put("role", "member"), owner);
        call("PUT", "/projects/p1/members/vera", Json.object().put("role", "viewer"), owner);
    }

    static final java.util.Map<String, String> KEYS = new java.util.HashMap<>();

    static String user(String name) {
        call("POST", "/users", Json.object().put("username", name).put("password", "correct horse battery staple"), admin);
        String key = call("POST", "/keys", Json.object().put("user", name).put("name", "test"), admin).json().path("key").asText();
        KEYS.put(name, key);
        return key;
    }

    static Api.Res call(String method, String path, Object body, String key) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(controller.baseUrl() + "/api/v1" + path)).timeout(Duration.ofSeconds(30))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(Json.write(body)));
        if (body != null) b.header("Content-Type", "application/json");
        if (key != null) b.header("Authorization", "Bearer " + key);
        return api.send(b.build());
    }

    @AfterAll
    static void stop() {
        if (controller != null) controller.close();
    }

    static com.fasterxml.jackson.databind.node.ObjectNode plot(String title) {
        com.fasterxml.jackson.databind.node.ObjectNode b = Json.object().put("title", title).put("kind", "bar");
        b.putObject("spec").put("y", 1);
        return b;
    }

    @Test
    void membersWriteViewersOnlyRead() {
        assertThat(call("POST", "/tasks/" + task + "/plots/user", plot("a"), KEYS.get("max")).status()).isEqualTo(201);
        assertThat(call("POST", "/tasks/" + task + "/texts/user", Json.object().put("title", "t").put("text", "x"), KEYS.get("olivia")).status())
                .isEqualTo(201);
        assertThat(call("PUT", "/tasks/" + task + "/configs/c", Json.object().put("format", "text").put("content", "x"), KEYS.get("max")).status())
                .isEqualTo(200);
        assertThat(call("POST", "/tasks/" + task + "/plots/user", plot("v"), KEYS.get("vera")).status()).isEqualTo(403);
        assertThat(call("POST", "/tasks/" + task + "/texts/user", Json.object().put("title", "t").put("text", "x"), KEYS.get("vera")).status())
                .isEqualTo(403);
        assertThat(call("PUT", "/tasks/" + task + "/configs/c", Json.object().put("format", "text").put("content", "y"), KEYS.get("vera")).status())
                .isEqualTo(403);
        assertThat(call("POST", "/tasks/" + task + "/plots/user", plot("s"), KEYS.get("sam")).status()).isEqualTo(403);
        assertThat(call("POST", "/tasks/" + task + "/plots/user", plot("n"), null).status()).isEqualTo(401);

        JsonNode plots = call("GET", "/tasks/" + task + "/plots", null, KEYS.get("vera")).json().path("items");
        assertThat(plots).hasSize(1);
        assertThat(plots.get(0).path("title").asText()).isEqualTo("a");
        assertThat(call("GET", "/tasks/" + task + "/plots/1", null, KEYS.get("vera")).json().path("spec").path("y").asInt()).isEqualTo(1);
        assertThat(call("GET", "/tasks/" + task + "/texts", null, KEYS.get("vera")).json().path("items")).hasSize(1);
        assertThat(call("GET", "/tasks/" + task + "/configs/c", null, KEYS.get("vera")).json().path("content").asText()).isEqualTo("x");
        assertThat(call("GET", "/tasks/" + task + "/plots", null, KEYS.get("sam")).status()).isEqualTo(403);
        assertThat(call("GET", "/tasks/" + task + "/configs", null, KEYS.get("sam")).status()).isEqualTo(403);
    }

    @Test
    void theAgentRouteNeedsAWorkerKeyWithTheLease() {
        assertThat(call("POST", "/tasks/" + task + "/plots", plot("o").put("epoch", 1), KEYS.get("olivia")).status()).isEqualTo(403);
        String worker = call("POST", "/keys", Json.object().put("kind", "worker").put("name", "agent"), admin).json().path("key").asText();
        assertThat(call("POST", "/tasks/" + task + "/plots", plot("w").put("epoch", 1), worker).status()).isEqualTo(403);
        assertThat(call("POST", "/tasks/" + task + "/texts/user", Json.object().put("title", "t").put("text", "x"), worker).status()).isEqualTo(403);
    }
}

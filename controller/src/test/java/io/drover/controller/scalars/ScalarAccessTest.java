package io.drover.controller.scalars;

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

/** The scalars routes with auth ON: who may write through which route, and who may read. */
class ScalarAccessTest {
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

    static com.fasterxml.jackson.databind.node.ObjectNode points(double v) {
        com.fasterxml.jackson.databind.node.ObjectNode b = Json.object();
        b.putArray("points").addObject().put("metric", "loss").put("iter", 1).put("value", v);
        return b;
    }

    @Test
    void membersWriteThroughTheUserRouteViewersOnlyRead() {
        assertThat(call("POST", "/tasks/" + task + "/scalars/user", points(1), KEYS.get("max")).status()).isEqualTo(200);
        assertThat(call("POST", "/tasks/" + task + "/scalars/user", points(2), KEYS.get("olivia")).status()).isEqualTo(200);
        Api.Res viewerWrite = call("POST", "/tasks/" + task + "/scalars/user", points(3), KEYS.get("vera"));
        assertThat(viewerWrite.status()).isEqualTo(403);
        assertThat(call("POST", "/tasks/" + task + "/scalars/user", points(3), KEYS.get("sam")).status()).isEqualTo(403);
        assertThat(call("POST", "/tasks/" + task + "/scalars/user", points(3), null).status()).isEqualTo(401);

        assertThat(call("GET", "/tasks/" + task + "/scalars", null, KEYS.get("vera")).json().path("items").get(0).path("count").asLong())
                .isEqualTo(2);
        assertThat(call("GET", "/tasks/" + task + "/scalars/loss", null, KEYS.get("vera")).json().path("points")).hasSize(2);
        assertThat(call("GET", "/tasks/" + task + "/scalars/loss", null, KEYS.get("sam")).status()).isEqualTo(403);
        assertThat(call("GET", "/tasks/" + task, null, KEYS.get("vera")).json().path("metrics").path("loss").path("max").asDouble())
                .isEqualTo(2.0);
    }

    @Test
    void theAgentRouteNeedsAWorkerKeyWithTheLease() {
        // a user key, even the owner's, cannot use the agent route; a worker key without the lease neither
        Api.Res owner = call("POST", "/tasks/" + task + "/scalars", points(1).put("epoch", 1),
                KEYS.get("olivia"));
        assertThat(owner.status()).isEqualTo(403);
        String worker = call("POST", "/keys", Json.object().put("kind", "worker").put("name", "agent"), admin).json().path("key").asText();
        assertThat(call("POST", "/tasks/" + task + "/scalars", points(1), worker).status()).isEqualTo(403);
        assertThat(call("POST", "/tasks/" + task + "/scalars/user", points(1), worker).status()).isEqualTo(403);
    }
}

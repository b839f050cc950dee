package io.drover.controller.annotations;

import static org.assertj.core.api.Assertions.assertThat;

import io.drover.controller.Controller;
import io.drover.controller.testing.Api;
import io.drover.controller.testing.TestConfig;
import io.drover.shared.json.Json;
import java.net.URI;
import java.net.http.HttpRequest;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Annotations with auth ON: members edit and comment (as themselves), viewers only read. */
class TaskAnnotationsAccessTest {
    @TempDir
    static Path dir;
    static Controller controller;
    static Api api;
    static String admin;
    static String task;
    static final Map<String, String> KEYS = new HashMap<>();

    @BeforeAll
    static void start() throws Exception {
        controller = Controller.start(TestConfig.forTest(dir));
        api = new Api(controller.baseUrl());
        admin = controller.bootstrap().adminKey();
        String owner = user("olivia");
        user("max");
        user("vera");
        task = call("POST", "/tasks", Json.object().put("name", "t").put("project", "p1")
                .set("script", Json.object().put("repo", "https://example.com/r.git").put("entryPoint", "train.py")), owner)
                .json().path("id").asText();
        call("PUT", "/projects/p1/members/max", Json.object().put("role", "member"), owner);
        call("PUT", "/projects/p1/members/vera", Json.object().put("role", "viewer"), owner);
    }

    @AfterAll
    static void stop() {
        if (controller != null) controller.close();
    }

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

    @Test
    void membersEditAndCommentViewersOnlyRead() {
        assertThat(call("PATCH", "/tasks/" + task, Json.object().put("description", "by max"), KEYS.get("max")).status()).isEqualTo(200);
        assertThat(call("POST", "/tasks/" + task + "/comments", Json.object().put("text", "from olivia"), KEYS.get("olivia")).status())
                .isEqualTo(201);
        assertThat(call("POST", "/tasks/" + task + "/comments", Json.object().put("text", "from max"), KEYS.get("max")).status())
                .isEqualTo(201);

        assertThat(call("PATCH", "/tasks/" + task, Json.object().put("description", "by vera"), KEYS.get("vera")).status()).isEqualTo(403);
        assertThat(call("POST", "/tasks/" + task + "/comments", Json.object().put("text", "from vera"), KEYS.get("vera")).status())
                .isEqualTo(403);
        assertThat(call("PATCH", "/tasks/" + task, Json.object().put("description", "anon"), null).status()).isEqualTo(401);

        var comments = call("GET", "/tasks/" + task + "/comments", null, KEYS.get("vera")).json().path("items");
        assertThat(comments.findValuesAsText("author")).containsExactly("olivia", "max");
        assertThat(comments.findValuesAsText("text")).containsExactly("from olivia", "from max");
        var t = call("GET", "/tasks/" + task, null, KEYS.get("vera")).json();
        assertThat(t.path("description").asText()).isEqualTo("by max");
        assertThat(t.path("commentCount").asInt()).isEqualTo(2);
        // a user key cannot use the agent's lease route
        var lease = Json.object().put("epoch", 1);
        lease.putArray("add").add("x");
        assertThat(call("POST", "/tasks/" + task + "/tags", lease, KEYS.get("olivia")).status()).isEqualTo(403);
    }

    @Test
    void editsAreAuditedAsTaskUpdateWithTheCaller() throws InterruptedException {
        assertThat(call("PATCH", "/tasks/" + task, Json.object().put("description", "audited"), KEYS.get("olivia")).status()).isEqualTo(200);
        // audit writes are asynchronous: wait for the entry
        for (int i = 0; i < 100; i++) {
            for (var e : call("GET", "/audit?limit=1000", null, admin).json().path("items")) {
                if (e.path("action").asText().equals("task.update") && e.path("target").asText().equals(task)
                        && e.toString().contains("olivia")) {
                    return;
                }
            }
            Thread.sleep(50);
        }
        throw new AssertionError("no task.update audit entry by olivia for " + task);
    }
}

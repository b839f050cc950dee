package io.drover.controller.annotations;

import static org.assertj.core.api.Assertions.assertThat;

import io.drover.controller.Controller;
import io.drover.controller.testing.Api;
import io.drover.controller.testing.ProjectRoles;
import io.drover.shared.json.Json;
import java.nio.file.Path;
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
    static ProjectRoles roles;
    static Controller controller;
    static String admin;
    static String task;
    static final Map<String, String> KEYS = new HashMap<>();

    @BeforeAll
    static void start() throws Exception {
        roles = ProjectRoles.start(dir);
        controller = roles.controller;
        admin = roles.admin;
        task = roles.task;
        KEYS.putAll(roles.keys());
    }

    @AfterAll
    static void stop() {
        if (roles != null) roles.close();
    }

    static Api.Res call(String method, String path, Object body, String key) {
        return roles.call(method, path, body, key);
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

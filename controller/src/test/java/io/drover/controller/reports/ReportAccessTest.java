package io.drover.controller.reports;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
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

/** The plots, texts and configs routes with auth ON: who may write through which route, and who may read. */
class ReportAccessTest {
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

package io.drover.controller.scalars;

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

/** The scalars routes with auth ON: who may write through which route, and who may read. */
class ScalarAccessTest {
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

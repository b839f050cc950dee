package io.drover.controller.secrets;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.drover.controller.Controller;
import io.drover.controller.testing.Api;
import io.drover.controller.testing.TestConfig;
import io.drover.shared.json.Json;
import java.net.URI;
import java.net.http.HttpRequest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code /projects/{p}/secrets} over real HTTP on port 0, and the claim response that carries the values. */
class SecretsApiTest {
    static final String VALUE = "tok-3f9a77c1-very-secret";

    @TempDir
    Path dir;

    Controller controller;
    /** Every response body seen, to check that no value ever came back. */
    final List<String> bodies = new ArrayList<>();

    @AfterEach
    void stop() {
        if (controller != null) controller.close();
    }

    Api.Res call(String method, String path, Object body, String key) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(controller.baseUrl() + "/api/v1" + path))
                .timeout(Duration.ofSeconds(30))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofString(body instanceof String s ? s : Json.write(body)));
        if (body != null) b.header("Content-Type", "application/json");
        if (key != null) b.header("Authorization", "Bearer " + key);
        Api.Res r = new Api(controller.baseUrl()).send(b.build());
        bodies.add(r.body() == null ? "" : r.body());
        return r;
    }

    Api.Res call(String method, String path, Object body) {
        return call(method, path, body, null);
    }

    static ObjectNode value(String v) {
        return Json.object().put("value", v);
    }

    @Test
    void setListDeleteNeverReturnsValues() throws Exception {
        controller = Controller.start(TestConfig.forTest(dir).withAuth(false));
        assertThat(call("POST", "/projects", Json.object().put("name", "vision")).status()).isEqualTo(201);

        Api.Res put = call("PUT", "/projects/vision/secrets/API_TOKEN", value(VALUE));
        assertThat(put.status()).as(put.body()).isEqualTo(200);
        assertThat(put.json().path("name").asText()).isEqualTo("API_TOKEN");
        assertThat(put.json().path("updatedAt").asText()).isNotBlank();
        assertThat(put.json().path("updatedBy").asText()).isEqualTo("local");
        assertThat(call("PUT", "/projects/vision/secrets/GIT_TOKEN", value("ghp_other-value")).status()).isEqualTo(200);
        // replacing keeps one entry
        assertThat(call("PUT", "/projects/vision/secrets/API_TOKEN", value(VALUE)).status()).isEqualTo(200);

        Api.Res list = call("GET", "/projects/vision/secrets", null);
        assertThat(list.status()).isEqualTo(200);
        List<String> names = new ArrayList<>();
        list.json().path("items").forEach(i -> {
            names.add(i.path("name").asText());
            assertThat(i.has("value")).isFalse();
        });
        assertThat(names).containsExactly("API_TOKEN", "GIT_TOKEN");
        assertThat(call("GET", "/projects/nlp/secrets", null).json().path("items")).isEmpty();

        // at rest: only ciphertext in the store, the key file next to it with mode 0600
        assertThat(controller.services().store().db().getCollection(SecretStore.COLLECTION).find().first().toJson())
                .doesNotContain(VALUE);
        assertThat(Files.exists(dir.resolve("secrets.key"))).isTrue();

        Api.Res del = call("DELETE", "/projects/vision/secrets/GIT_TOKEN", null);
        assertThat(del.status()).isEqualTo(200);
        assertThat(del.json().path("deleted").asBoolean()).isTrue();
        Api.Res again = call("DELETE", "/projects/vision/secrets/GIT_TOKEN", null);
        assertThat(again.status()).isEqualTo(404);
        assertThat(again.errorMessage()).contains("GIT_TOKEN");

        assertThat(bodies).noneMatch(b -> b.contains(VALUE) || b.contains("ghp_other-value"));
    }

    @Test
    void badInputIsRefusedWithTheReason() throws Exception {
        controller = Controller.start(TestConfig.forTest(dir).withAuth(false));
        call("POST", "/projects", Json.object().put("name", "vision"));
        for (String bad : List.of("api_token", "1TOKEN", "A-B", "A".repeat(65))) {
            Api.Res r = call("PUT", "/projects/vision/secrets/" + bad, value("x-value"));
            assertThat(r.status()).as(bad).isEqualTo(400);
            assertThat(r.errorMessage()).contains("environment variable name");
        }
        assertThat(call("PUT", "/projects/vision/secrets/" + "A".repeat(64), value("x-value")).status()).isEqualTo(200);
        assertThat(call("PUT", "/projects/vision/secrets/OK", Json.object()).errorMessage()).contains("'value' is required");
        assertThat(call("PUT", "/projects/vision/secrets/OK", Json.object().put("value", 5)).errorMessage()).contains("must be a string");
        assertThat(call("PUT", "/projects/vision/secrets/OK", value("")).status()).isEqualTo(400);
        assertThat(call("PUT", "/projects/vision/secrets/OK", Json.object().put("value", "v").put("valu", "x")).errorMessage())
                .contains("unknown field 'valu'");
        Api.Res big = call("PUT", "/projects/vision/secrets/BIG", value("x".repeat(64 * 1024 + 1)));
        assertThat(big.status()).isEqualTo(400);
        assertThat(big.errorMessage()).contains("64 KiB");
        assertThat(call("PUT", "/projects/vision/secrets/BIG", value("x".repeat(64 * 1024))).status()).isEqualTo(200);
        Api.Res noProject = call("PUT", "/projects/nope/secrets/API_TOKEN", value("v-1234"));
        assertThat(noProject.status()).isEqualTo(404);
        assertThat(noProject.errorMessage()).contains("nope");
    }

    @Test
    void theClaimResponseCarriesTheTaskProjectsSecrets() throws Exception {
        controller = Controller.start(TestConfig.forTest(dir).withAuth(false));
        call("POST", "/projects", Json.object().put("name", "vision"));
        call("POST", "/projects", Json.object().put("name", "nlp"));
        call("PUT", "/projects/vision/secrets/API_TOKEN", value(VALUE));
        call("PUT", "/projects/nlp/secrets/NLP_ONLY", value("nlp-secret-value"));
        ObjectNode w = Json.object().put("name", "w1").put("hostname", "box").put("pid", 1).put("version", "t");
        w.putArray("queues").add("q");
        assertThat(call("POST", "/workers", w).status()).isEqualTo(200);
        ObjectNode t = Json.object().put("name", "t").put("project", "vision").put("queue", "q").put("enqueue", true);
        t.putObject("script").put("repo", "/tmp/repo").put("entryPoint", "train.py");
        assertThat(call("POST", "/tasks", t).status()).isEqualTo(201);
        ObjectNode claim = Json.object().put("wait", 5);
        claim.putArray("queues").add("q");
        Api.Res c = call("POST", "/workers/w1/claim", claim);
        assertThat(c.status()).as(c.body()).isEqualTo(200);
        JsonNode secrets = c.json().path("secrets");
        assertThat(secrets.path("API_TOKEN").asText()).isEqualTo(VALUE);
        assertThat(secrets.has("NLP_ONLY")).as("another project's secret").isFalse();
        // the task itself, as users read it, does not carry them
        String id = c.json().path("task").path("id").asText();
        assertThat(call("GET", "/tasks/" + id, null).body()).doesNotContain(VALUE);
    }

    @Test
    void onlyOwnersAndAdminsManageSecrets() throws Exception {
        controller = Controller.start(TestConfig.forTest(dir).withAuth(true));
        String admin = controller.bootstrap().adminKey();
        assertThat(call("POST", "/projects", Json.object().put("name", "vision"), admin).status()).isEqualTo(201);
        assertThat(call("PUT", "/projects/vision/secrets/API_TOKEN", value(VALUE), admin).status()).isEqualTo(200);
        String viewer = userKey(admin, "vera", "viewer");
        String member = userKey(admin, "mia", "member");
        String owner = userKey(admin, "otto", "owner");

        assertThat(call("GET", "/projects/vision/secrets", null).status()).isEqualTo(401);
        assertThat(call("PUT", "/projects/vision/secrets/X_TOKEN", value("v-1234")).status()).isEqualTo(401);
        for (String k : List.of(viewer, member)) {
            assertThat(call("GET", "/projects/vision/secrets", null, k).status()).isEqualTo(403);
            assertThat(call("PUT", "/projects/vision/secrets/API_TOKEN", value("stolen"), k).status()).isEqualTo(403);
            assertThat(call("DELETE", "/projects/vision/secrets/API_TOKEN", null, k).status()).isEqualTo(403);
        }
        Api.Res set = call("PUT", "/projects/vision/secrets/OWNER_TOKEN", value("owner-value-1"), owner);
        assertThat(set.status()).as(set.body()).isEqualTo(200);
        assertThat(set.json().path("updatedBy").asText()).isEqualTo("otto");
        assertThat(call("GET", "/projects/vision/secrets", null, owner).json().path("items")).hasSize(2);
        assertThat(call("DELETE", "/projects/vision/secrets/OWNER_TOKEN", null, owner).status()).isEqualTo(200);
        assertThat(bodies).noneMatch(b -> b.contains(VALUE) || b.contains("owner-value-1"));
    }

    /** A user with {@code role} on project vision and an API key of theirs. */
    String userKey(String admin, String name, String role) {
        Api.Res u = call("POST", "/users", Json.object().put("username", name).put("password", "a-long-password-123"), admin);
        assertThat(u.status()).as(u.body()).isEqualTo(201);
        Api.Res m = call("PUT", "/projects/vision/members/" + name, Json.object().put("role", role), admin);
        assertThat(m.status()).as(m.body()).isIn(200, 201, 204);
        Api.Res k = call("POST", "/keys", Json.object().put("user", name), admin);
        assertThat(k.status()).as(k.body()).isEqualTo(201);
        return k.json().path("key").asText();
    }
}

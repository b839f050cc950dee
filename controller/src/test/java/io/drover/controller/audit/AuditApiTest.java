package io.drover.controller.audit;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.drover.controller.Controller;
import io.drover.controller.testing.Api;
import io.drover.controller.testing.TestConfig;
import io.drover.controller.testing.Tasks;
import io.drover.shared.domain.Ids;
import io.drover.shared.json.Json;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Task actions land in the audit log; {@code GET /audit} pages newest first. Real HTTP, real store. */
class AuditApiTest {
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

    @Test
    void enqueueAbortArchiveAreRecordedNewestFirstWithActorAndAddress() throws Exception {
        String id = api.ok("/tasks", Tasks.task("audited")).path("id").asText();
        api.ok("/tasks/" + id + "/enqueue", Json.object());
        assertThat(api.post("/tasks/" + id + "/enqueue", Json.object()).status()).isEqualTo(409); // already queued
        api.ok("/tasks/" + id + "/abort", Json.object().put("reason", "test"));
        api.ok("/tasks/" + id + "/archive", Json.object());
        api.ok("/tasks/" + id + "/unarchive", Json.object());

        List<JsonNode> mine = awaitEntries(id, 5);
        assertThat(mine).extracting(e -> e.path("action").asText() + ":" + e.path("outcome").asText())
                .containsExactly("task.unarchive:ok", "task.archive:ok", "task.abort:ok", "task.enqueue:failed", "task.enqueue:ok");
        JsonNode first = mine.get(0);
        assertThat(Ids.isId(first.path("id").asText())).isTrue();
        assertThat(first.path("ip").asText()).isEqualTo("127.0.0.1");
        assertThat(first.path("actor").asText()).isNotBlank();
        assertThat(first.path("at").asText()).matches("\\d{4}-\\d\\d-\\d\\dT.*Z");
        assertThat(mine.get(3).path("detail").asText()).contains("queued");
    }

    @Test
    void pagesWithLimitAndBefore() throws Exception {
        String id = api.ok("/tasks", Tasks.task("paged")).path("id").asText();
        for (int i = 0; i < 3; i++) {
            api.ok("/tasks/" + id + "/archive", Json.object());
            api.ok("/tasks/" + id + "/unarchive", Json.object());
        }
        awaitEntries(id, 6);
        JsonNode page1 = api.okGet("/audit?limit=4").path("items");
        assertThat(page1).hasSize(4);
        String last = page1.get(3).path("id").asText();
        JsonNode page2 = api.okGet("/audit?limit=4&before=" + last).path("items");
        assertThat(page2).isNotEmpty();
        List<String> ids = new ArrayList<>();
        page1.forEach(e -> ids.add(e.path("id").asText()));
        page2.forEach(e -> ids.add(e.path("id").asText()));
        assertThat(ids).doesNotHaveDuplicates();
        assertThat(ids).isSortedAccordingTo(java.util.Comparator.reverseOrder());
    }

    @Test
    void secretSetUseAndDeleteAreRecordedByNameNeverByValue() throws Exception {
        api.ok("/projects", Json.object().put("name", "vault"));
        Api.Res set = api.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create(controller.baseUrl() + "/api/v1/projects/vault/secrets/API_TOKEN"))
                .header("Content-Type", "application/json")
                .PUT(java.net.http.HttpRequest.BodyPublishers.ofString("{\"value\":\"s3cr3t-value-123\"}")).build());
        assertThat(set.status()).as(set.body()).isEqualTo(200);
        api.ok("/workers", Json.object().put("name", "w-audit").put("hostname", "h").put("pid", 1).put("version", "t")
                .set("queues", Json.MAPPER.createArrayNode().add("vq")));
        com.fasterxml.jackson.databind.node.ObjectNode t = Tasks.task("uses-secret").put("project", "vault").put("queue", "vq").put("enqueue", true);
        String id = api.ok("/tasks", t).path("id").asText();
        JsonNode claim = api.ok("/workers/w-audit/claim", Json.object().put("wait", 5).set("queues", Json.MAPPER.createArrayNode().add("vq")));
        assertThat(claim.path("task").path("id").asText()).isEqualTo(id);
        assertThat(api.delete("/projects/vault/secrets/API_TOKEN").status()).isEqualTo(200);

        List<JsonNode> mine = awaitEntries("vault/API_TOKEN", 3);
        assertThat(mine).extracting(e -> e.path("action").asText() + " by " + e.path("actor").asText())
                .containsExactly("secret.delete by local", "secret.use by worker:w-audit", "secret.set by local");
        assertThat(mine.get(1).path("detail").asText()).contains(id);
        assertThat(api.okGet("/audit?limit=1000").toString()).doesNotContain("s3cr3t-value-123");
    }

    @Test
    void badQueriesAre400() {
        assertThat(api.get("/audit?limit=0").status()).isEqualTo(400);
        assertThat(api.get("/audit?limit=5000").status()).isEqualTo(400);
        Api.Res bad = api.get("/audit?before=../x");
        assertThat(bad.status()).isEqualTo(400);
        assertThat(bad.errorMessage()).contains("before");
        assertThat(api.get("/audit?user=x").errorMessage()).contains("unknown query parameter 'user'");
    }

    /** Audit writes are asynchronous: wait until {@code n} entries for the target are visible. */
    private static List<JsonNode> awaitEntries(String target, int n) throws InterruptedException {
        List<JsonNode> mine = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            mine.clear();
            for (JsonNode e : api.okGet("/audit?limit=1000").path("items")) {
                if (e.path("target").asText().equals(target)) mine.add(e);
            }
            if (mine.size() >= n) return mine;
            Thread.sleep(50);
        }
        throw new AssertionError("expected " + n + " audit entries for " + target + ", got " + mine);
    }
}

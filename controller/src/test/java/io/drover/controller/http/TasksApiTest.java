package io.drover.controller.http;

import static io.drover.controller.testing.Tasks.task;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.drover.controller.Controller;
import io.drover.controller.config.ControllerConfig;
import io.drover.controller.testing.Api;
import io.drover.shared.json.Json;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Projects, tasks and queues over real HTTP on the embedded store. */
class TasksApiTest {
    @TempDir
    static Path dir;
    static Controller controller;
    static Api api;

    @BeforeAll
    static void start() throws Exception {
        controller = Controller.start(io.drover.controller.testing.TestConfig.forTest(dir).withAuth(false));
        api = new Api(controller.baseUrl());
    }

    @AfterAll
    static void stop() {
        controller.close();
    }

    @Test
    void createThenGetReturnsTheDocumentedShape() {
        ObjectNode body = task("train").put("project", "shape").put("priority", 5);
        body.putObject("params").put("lr", "0.5").put("model.depth", 3);
        body.putArray("tags").add("baseline");
        ((ObjectNode) body.get("script")).put("diff", "--- a/x\n+++ b/x\n").put("commit", "a".repeat(40));
        Api.Res r = api.post("/tasks", body);
        assertThat(r.status()).isEqualTo(201);
        String id = r.json().path("id").asText();
        JsonNode t = api.okGet("/tasks/" + id);
        assertThat(t.path("status").asText()).isEqualTo("created");
        assertThat(t.path("project").asText()).isEqualTo("shape");
        assertThat(t.path("queue").asText()).isEqualTo("default");
        assertThat(t.path("priority").asInt()).isEqualTo(5);
        assertThat(t.path("retries").asInt()).isEqualTo(1);
        assertThat(t.path("params").path("lr").asText()).isEqualTo("0.5");
        assertThat(t.path("params").path("model.depth").asText()).isEqualTo("3");
        assertThat(t.path("script").path("hasDiff").asBoolean()).isTrue();
        assertThat(t.path("script").has("diff")).isFalse();
        assertThat(t.path("script").path("workingDir").asText()).isEqualTo(".");
        assertThat(t.path("execution").path("attempt").asInt()).isZero();
        assertThat(t.path("lease").isNull()).isTrue();
        assertThat(t.path("archived").asBoolean()).isFalse();
        List<String> fields = new ArrayList<>();
        t.fieldNames().forEachRemaining(fields::add);
        assertThat(fields).containsExactlyInAnyOrder("id", "name", "project", "status", "statusReason", "queue", "priority",
                "retries", "tags", "params", "script", "execution", "captured", "artifacts", "parentId", "createdAt",
                "updatedAt", "archived", "lease", "metrics", "description", "properties", "commentCount", "user",
                "resources", "environment", "container");
        assertThat(api.okGet("/tasks/" + id + "/diff").path("diff").asText()).isEqualTo("--- a/x\n+++ b/x\n");
        JsonNode projects = api.okGet("/projects").path("items");
        assertThat(projects.findValuesAsText("name")).contains("shape");
    }

    @Test
    void listFiltersSortsAndPages() {
        for (int i = 0; i < 5; i++) {
            ObjectNode b = task("list-" + i).put("project", "lister").put("priority", i);
            if (i % 2 == 0) b.putArray("tags").add("even");
            api.ok("/tasks", b);
        }
        JsonNode all = api.okGet("/tasks?project=lister&sort=priority&limit=2");
        assertThat(all.path("total").asInt()).isEqualTo(5);
        assertThat(all.path("items").findValuesAsText("name")).containsExactly("list-0", "list-1");
        JsonNode page2 = api.okGet("/tasks?project=lister&sort=priority&limit=2&offset=2");
        assertThat(page2.path("items").findValuesAsText("name")).containsExactly("list-2", "list-3");
        JsonNode desc = api.okGet("/tasks?project=lister&sort=-priority&limit=1");
        assertThat(desc.path("items").get(0).path("name").asText()).isEqualTo("list-4");
        assertThat(api.okGet("/tasks?project=lister&tag=even").path("total").asInt()).isEqualTo(3);
        assertThat(api.okGet("/tasks?project=lister&status=created").path("total").asInt()).isEqualTo(5);
        assertThat(api.okGet("/tasks?project=lister&status=queued").path("total").asInt()).isZero();
        // archived tasks are hidden unless asked for
        String id = api.okGet("/tasks?project=lister&sort=name&limit=1").path("items").get(0).path("id").asText();
        api.ok("/tasks/" + id + "/archive", Json.object());
        assertThat(api.okGet("/tasks?project=lister").path("total").asInt()).isEqualTo(4);
        assertThat(api.okGet("/tasks?project=lister&archived=true").path("items").get(0).path("id").asText()).isEqualTo(id);
        api.ok("/tasks/" + id + "/unarchive", Json.object());
        assertThat(api.okGet("/tasks?project=lister").path("total").asInt()).isEqualTo(5);
        assertThat(api.get("/tasks?limit=501").status()).isEqualTo(400);
        assertThat(api.get("/tasks?sort=bogus").errorMessage()).contains("createdAt");
        assertThat(api.get("/tasks?status=bogus").status()).isEqualTo(400);
    }

    @Test
    void cloneMergesParamOverridesAndSetsParent() {
        ObjectNode b = task("orig");
        b.putObject("params").put("lr", "0.5").put("epochs", "3");
        ((ObjectNode) b.get("script")).put("diff", "DIFF");
        String src = api.ok("/tasks", b).path("id").asText();
        ObjectNode c = Json.object().put("name", "copy").put("enqueue", true).put("queue", "cloneq");
        c.putObject("params").put("lr", "0.7");
        Api.Res r = api.post("/tasks/" + src + "/clone", c);
        assertThat(r.status()).isEqualTo(201);
        JsonNode t = r.json();
        assertThat(t.path("parentId").asText()).isEqualTo(src);
        assertThat(t.path("name").asText()).isEqualTo("copy");
        assertThat(t.path("status").asText()).isEqualTo("queued");
        assertThat(t.path("queue").asText()).isEqualTo("cloneq");
        assertThat(t.path("params").path("lr").asText()).isEqualTo("0.7");
        assertThat(t.path("params").path("epochs").asText()).isEqualTo("3");
        assertThat(api.okGet("/tasks/" + t.path("id").asText() + "/diff").path("diff").asText()).isEqualTo("DIFF");
        JsonNode entries = api.okGet("/queues/cloneq/entries").path("items");
        assertThat(entries.findValuesAsText("id")).containsExactly(t.path("id").asText());
        JsonNode queues = api.okGet("/queues").path("items");
        JsonNode q = null;
        for (JsonNode x : queues) if (x.path("name").asText().equals("cloneq")) q = x;
        assertThat(q).isNotNull();
        assertThat(q.path("depth").asInt()).isEqualTo(1);
        assertThat(q.path("oldestQueuedAt").isTextual()).isTrue();
    }

    @Test
    void enqueueTopBottomMoveAndRemove() {
        String a = api.ok("/tasks", task("a")).path("id").asText();
        String b = api.ok("/tasks", task("b")).path("id").asText();
        String c = api.ok("/tasks", task("c")).path("id").asText();
        api.ok("/tasks/" + a + "/enqueue", Json.object().put("queue", "order"));
        api.ok("/tasks/" + b + "/enqueue", Json.object().put("queue", "order"));
        api.ok("/tasks/" + c + "/enqueue", Json.object().put("queue", "order").put("position", "top"));
        assertThat(api.okGet("/queues/order/entries").path("items").findValuesAsText("id")).containsExactly(c, a, b);
        api.ok("/queues/order/entries/" + b + "/move", Json.object().put("position", "front"));
        assertThat(api.okGet("/queues/order/entries").path("items").findValuesAsText("id")).containsExactly(b, c, a);
        Api.Res removed = api.delete("/queues/order/entries/" + c);
        assertThat(removed.status()).isEqualTo(200);
        assertThat(removed.json().path("status").asText()).isEqualTo("created");
        JsonNode deq = api.ok("/tasks/" + a + "/dequeue", Json.object());
        assertThat(deq.path("status").asText()).isEqualTo("created");
        assertThat(api.okGet("/queues/order/entries").path("items").findValuesAsText("id")).containsExactly(b);
        // a higher priority goes first
        api.ok("/tasks/" + a + "/enqueue", Json.object().put("queue", "order").put("priority", 10));
        assertThat(api.okGet("/queues/order/entries").path("items").findValuesAsText("id")).containsExactly(a, b);
    }

    @Test
    void abortOfQueuedTaskIsImmediateAndFinalTasksRefuseIt() {
        String id = api.ok("/tasks", task("to-abort").put("enqueue", true).put("queue", "abortq")).path("id").asText();
        JsonNode t = api.ok("/tasks/" + id + "/abort", Json.object().put("reason", "changed my mind"));
        assertThat(t.path("status").asText()).isEqualTo("aborted");
        assertThat(t.path("statusReason").asText()).isEqualTo("changed my mind");
        assertThat(api.okGet("/queues/abortq/entries").path("items").size()).isZero();
        Api.Res again = api.post("/tasks/" + id + "/abort", "{}");
        assertThat(again.status()).isEqualTo(409);
        assertThat(again.errorCode()).isEqualTo("conflict");
        assertThat(again.errorMessage()).contains("'aborted'").contains("'aborted'");
    }

    @Test
    void illegalTransitionIs409NamingBothStates() {
        String id = api.ok("/tasks", task("created-only")).path("id").asText();
        Api.Res r = api.post("/tasks/" + id + "/dequeue", "{}");
        assertThat(r.status()).isEqualTo(409);
        assertThat(r.errorMessage()).contains("'created'").contains("'created'");
        api.ok("/tasks/" + id + "/enqueue", Json.object());
        Api.Res twice = api.post("/tasks/" + id + "/enqueue", "{}");
        assertThat(twice.status()).isEqualTo(409);
        assertThat(twice.errorMessage()).contains("from 'queued' to 'queued'");
    }

    @Test
    void badInputIsRefusedWithClearMessages() {
        Api.Res malformed = api.post("/tasks", "{\"name\": ");
        assertThat(malformed.status()).isEqualTo(400);
        assertThat(malformed.errorCode()).isEqualTo("bad_request");
        assertThat(malformed.errorMessage()).contains("not valid JSON");

        Api.Res unknown = api.post("/tasks", task("x").put("priorty", 3));
        assertThat(unknown.status()).isEqualTo(400);
        assertThat(unknown.errorMessage()).contains("unknown field 'priorty'");

        ObjectNode nested = task("x");
        ((ObjectNode) nested.get("script")).put("entrypoint", "a.py");
        assertThat(api.post("/tasks", nested).errorMessage()).contains("'script.entrypoint'");

        Api.Res big = api.post("/projects", Json.object().put("name", "big").put("description", "x".repeat(1_100_000)));
        assertThat(big.status()).isEqualTo(413);
        assertThat(big.errorCode()).isEqualTo("payload_too_large");

        assertThat(api.post("/tasks", task("x").put("priority", 101)).errorMessage()).contains("between -100 and 100");
        assertThat(api.post("/tasks", task("x").put("project", "bad name")).status()).isEqualTo(400);
        ObjectNode badParam = task("x");
        badParam.putObject("params").putObject("nested");
        assertThat(api.post("/tasks", badParam).errorMessage()).contains("parameter 'nested' must be a string");
        ObjectNode escape = task("x");
        ((ObjectNode) escape.get("script")).put("entryPoint", "../etc/passwd");
        assertThat(api.post("/tasks", escape).status()).isEqualTo(400);
        assertThat(api.post("/tasks", Json.object().put("name", "noscript")).errorMessage()).contains("'script' is required");
        assertThat(api.post("/tasks", "[1,2]").errorMessage()).contains("JSON object");

        Api.Res form = api.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create(controller.baseUrl() + "/api/v1/projects"))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(java.net.http.HttpRequest.BodyPublishers.ofString("name=x")).build());
        assertThat(form.status()).isEqualTo(415);
        assertThat(form.errorCode()).isEqualTo("unsupported_media_type");

        Api.Res badId = api.get("/tasks/not-an-id");
        assertThat(badId.status()).isEqualTo(400);
        assertThat(badId.errorMessage()).contains("24 hex");
        Api.Res unknownId = api.get("/tasks/" + "0".repeat(24));
        assertThat(unknownId.status()).isEqualTo(404);
        assertThat(unknownId.errorCode()).isEqualTo("not_found");

        Api.Res dup = api.post("/projects", Json.object().put("name", "twice"));
        assertThat(dup.status()).isEqualTo(201);
        assertThat(api.post("/projects", Json.object().put("name", "twice")).status()).isEqualTo(409);
    }
}

package io.drover.controller.annotations;

import static io.drover.controller.testing.Tasks.task;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
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

/** Tags, description, properties and comments over real HTTP (auth off; see TaskAnnotationsAccessTest for roles). */
class TaskAnnotationsApiTest {
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

    static Api.Res patch(String id, Object body) {
        return api.send(HttpRequest.newBuilder(URI.create(controller.baseUrl() + "/api/v1/tasks/" + id)).timeout(Duration.ofSeconds(30))
                .header("Content-Type", "application/json")
                .method("PATCH", HttpRequest.BodyPublishers.ofString(Json.write(body))).build());
    }

    static String created(String name) {
        ObjectNode b = task(name).put("project", "notes");
        b.putArray("tags").add("a");
        return api.ok("/tasks", b).path("id").asText();
    }

    @Test
    void patchRoundTrip() {
        String id = created("annotated");
        ObjectNode b = Json.object().put("description", "first try with **lr** 0.5");
        b.putArray("addTags").add("baseline").add("gpu");
        b.putArray("removeTags").add("a");
        b.putObject("properties").put("dataset", "v2").put("owner.team", "vision");
        Api.Res r = patch(id, b);
        assertThat(r.status()).as(r.body()).isEqualTo(200);
        JsonNode t = api.okGet("/tasks/" + id);
        assertThat(Json.write(t.path("tags"))).isEqualTo("[\"baseline\",\"gpu\"]");
        assertThat(t.path("description").asText()).isEqualTo("first try with **lr** 0.5");
        assertThat(t.path("properties").path("dataset").asText()).isEqualTo("v2");
        assertThat(t.path("properties").path("owner.team").asText()).isEqualTo("vision");
        assertThat(t.path("commentCount").asInt()).isZero();

        // tags replaces the whole list; params are editable while created
        ObjectNode b2 = Json.object();
        b2.putArray("tags").add("final");
        b2.putObject("params").put("lr", "0.1");
        assertThat(patch(id, b2).status()).isEqualTo(200);
        t = api.okGet("/tasks/" + id);
        assertThat(Json.write(t.path("tags"))).isEqualTo("[\"final\"]");
        assertThat(t.path("params").path("lr").asText()).isEqualTo("0.1");
        assertThat(t.path("description").asText()).as("untouched fields stay").isEqualTo("first try with **lr** 0.5");
        assertThat(api.okGet("/tasks?tag=final&project=notes").path("total").asInt()).isEqualTo(1);

        // once queued, params are refused with 409 naming the status; other annotations stay editable
        api.ok("/tasks/" + id + "/enqueue", Json.object().put("queue", "annotations-q"));
        ObjectNode p = Json.object();
        p.putObject("params").put("lr", "9");
        Api.Res refused = patch(id, p);
        assertThat(refused.status()).isEqualTo(409);
        assertThat(refused.errorMessage()).contains("'queued'");
        assertThat(patch(id, Json.object().put("description", "queued now")).status()).isEqualTo(200);
    }

    @Test
    void patchValidationErrorsNameTheProblem() {
        String id = created("invalid");
        Api.Res unknown = patch(id, Json.object().put("colour", "red"));
        assertThat(unknown.status()).isEqualTo(400);
        assertThat(unknown.errorMessage()).contains("unknown field 'colour'");
        ObjectNode badTag = Json.object();
        badTag.putArray("addTags").add("no spaces");
        assertThat(patch(id, badTag).errorMessage()).contains("tag \"no spaces\" is not valid");
        ObjectNode many = Json.object();
        var arr = many.putArray("tags");
        for (int i = 0; i < 101; i++) arr.add("t" + i);
        assertThat(patch(id, many).errorMessage()).contains("at most 100");
        assertThat(patch(id, Json.object().put("description", "x".repeat(64 * 1024 + 1))).errorMessage()).contains("description");
        ObjectNode bigValue = Json.object();
        bigValue.putObject("properties").put("k", "v".repeat(4097));
        assertThat(patch(id, bigValue).errorMessage()).contains("property 'k' is larger than 4 KiB");
        ObjectNode longKey = Json.object();
        longKey.putObject("properties").put("k".repeat(257), "v");
        assertThat(patch(id, longKey).errorMessage()).contains("must be 1-256 characters");
        ObjectNode notString = Json.object();
        notString.putObject("properties").put("n", 3);
        assertThat(patch(id, notString).errorMessage()).contains("must be a string");
        ObjectNode tooMany = Json.object();
        ObjectNode props = tooMany.putObject("properties");
        for (int i = 0; i < 101; i++) props.put("p" + i, "v");
        assertThat(patch(id, tooMany).status()).isEqualTo(400);
        assertThat(patch("0000000000000000nope", Json.object()).status()).isIn(400, 404);
        // nothing was changed by the refused requests
        JsonNode t = api.okGet("/tasks/" + id);
        assertThat(Json.write(t.path("tags"))).isEqualTo("[\"a\"]");
        assertThat(t.path("properties").size()).isZero();
    }

    @Test
    void commentsAreListedInOrderWithAuthor() {
        String id = created("discussed");
        JsonNode c1 = api.ok("/tasks/" + id + "/comments", Json.object().put("text", "looks overfit"));
        assertThat(c1.path("author").asText()).isEqualTo("local");
        assertThat(c1.path("id").asText()).isNotBlank();
        assertThat(c1.path("at").asText()).isNotBlank();
        api.ok("/tasks/" + id + "/comments", Json.object().put("text", "rerun with dropout"));
        JsonNode list = api.okGet("/tasks/" + id + "/comments").path("items");
        assertThat(list.findValuesAsText("text")).containsExactly("looks overfit", "rerun with dropout");
        assertThat(api.okGet("/tasks/" + id).path("commentCount").asInt()).isEqualTo(2);
        assertThat(api.post("/tasks/" + id + "/comments", Json.object().put("text", "")).status()).isEqualTo(400);
        assertThat(api.post("/tasks/" + id + "/comments", Json.object().put("text", "x".repeat(16 * 1024 + 1))).status()).isEqualTo(400);
        assertThat(api.post("/tasks/" + id + "/comments", Json.object().put("text", "x").put("by", "me")).status()).isEqualTo(400);
    }

    @Test
    void agentAddsTagsUnderItsLeaseAndAStaleEpochIsRefused() {
        ObjectNode w = Json.object().put("name", "w-tags").put("hostname", "box").put("pid", 1).put("version", "test");
        w.putArray("queues").add("tagsq");
        api.ok("/workers", w);
        ObjectNode b = task("tagged-by-agent").put("queue", "tagsq").put("enqueue", true);
        b.putArray("tags").add("a");
        String id = api.ok("/tasks", b).path("id").asText();
        ObjectNode claim = Json.object().put("wait", 5);
        claim.putArray("queues").add("tagsq");
        JsonNode c = api.ok("/workers/w-tags/claim", claim);
        long epoch = c.path("lease").path("epoch").asLong();
        ObjectNode add = Json.object().put("epoch", epoch);
        add.putArray("add").add("baseline").add("a");
        JsonNode t = api.ok("/tasks/" + id + "/tags", add);
        assertThat(Json.write(t.path("tags"))).isEqualTo("[\"a\",\"baseline\"]");
        ObjectNode stale = Json.object().put("epoch", epoch + 1);
        stale.putArray("add").add("late");
        Api.Res r = api.post("/tasks/" + id + "/tags", stale);
        assertThat(r.status()).isEqualTo(409);
        assertThat(r.errorCode()).isEqualTo("stale_lease");
        ObjectNode noEpoch = Json.object();
        noEpoch.putArray("add").add("x");
        Api.Res missing = api.post("/tasks/" + id + "/tags", noEpoch);
        assertThat(missing.status()).isEqualTo(400);
        assertThat(missing.errorMessage()).contains("'epoch' is required");
    }
}

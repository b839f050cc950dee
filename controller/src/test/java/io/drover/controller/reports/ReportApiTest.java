package io.drover.controller.reports;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.drover.controller.logs.ExtrasFixture;
import io.drover.controller.testing.Api;
import io.drover.shared.json.Json;
import java.net.URI;
import java.net.http.HttpRequest;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Plots, texts and configs over real HTTP (auth off) on the embedded store: round trips, paging, limits, fencing. */
class ReportApiTest {
    @TempDir
    static Path dir;
    static ExtrasFixture f;
    static Api api;

    @BeforeAll
    static void start() throws Exception {
        f = new ExtrasFixture(dir);
        api = new Api(f.controller.baseUrl());
    }

    @AfterAll
    static void stop() {
        f.close();
    }

    static ObjectNode plot(Long epoch, String title, String kind, int iter) {
        ObjectNode b = Json.object().put("title", title).put("kind", kind).put("iter", iter);
        if (epoch != null) b.put("epoch", epoch);
        b.putObject("spec").putArray("x").add(1).add(2).add(3);
        return b;
    }

    Api.Res put(String path, Object body) {
        return api.send(HttpRequest.newBuilder(URI.create(f.controller.baseUrl() + "/api/v1" + path)).header("Content-Type", "application/json")
                .PUT(HttpRequest.BodyPublishers.ofString(Json.write(body))).build());
    }

    @Test
    void plotsRoundTripNewestFirstPagedAndFilteredByKind() {
        String id = f.runningTask("plots", 2);
        assertThat(api.ok("/tasks/" + id + "/plots", plot(2L, "loss curve", "line", 1)).path("seq").asLong()).isEqualTo(1);
        api.ok("/tasks/" + id + "/plots", plot(2L, "confusion", "confusion", 2));
        api.ok("/tasks/" + id + "/plots/user", plot(null, "hist", "histogram", 3).put("series", "weights"));
        api.ok("/tasks/" + id + "/plots", plot(2L, "loss again", "line", 4));

        JsonNode page = api.okGet("/tasks/" + id + "/plots?limit=3");
        assertThat(page.path("items")).hasSize(3);
        assertThat(page.path("items").get(0).path("title").asText()).isEqualTo("loss again");
        assertThat(page.path("items").get(0).path("spec").isMissingNode()).isTrue(); // listings leave the spec out
        assertThat(page.path("items").get(1).path("series").asText()).isEqualTo("weights");
        JsonNode rest = api.okGet("/tasks/" + id + "/plots?limit=3&before=" + page.path("next").asLong());
        assertThat(rest.path("items")).hasSize(1);
        assertThat(rest.path("items").get(0).path("title").asText()).isEqualTo("loss curve");
        assertThat(rest.path("next").isNull()).isTrue();

        JsonNode lines = api.okGet("/tasks/" + id + "/plots?kind=line").path("items");
        assertThat(lines).hasSize(2);
        assertThat(lines.get(1).path("seq").asLong()).isEqualTo(1);

        JsonNode one = api.okGet("/tasks/" + id + "/plots/2");
        assertThat(one.path("kind").asText()).isEqualTo("confusion");
        assertThat(one.path("iter").asLong()).isEqualTo(2);
        assertThat(one.path("spec").path("x").get(2).asInt()).isEqualTo(3);
        assertThat(one.path("ts").asText()).endsWith("Z");
        assertThat(api.get("/tasks/" + id + "/plots/99").status()).isEqualTo(404);
    }

    @Test
    void textsRoundTrip() {
        String id = f.runningTask("texts", 1);
        api.ok("/tasks/" + id + "/texts", Json.object().put("epoch", 1).put("title", "summary").put("text", "# Done\nall good").put("iter", 10));
        api.ok("/tasks/" + id + "/texts/user", Json.object().put("title", "notes").put("text", "by hand"));
        JsonNode items = api.okGet("/tasks/" + id + "/texts").path("items");
        assertThat(items).hasSize(2);
        assertThat(items.get(0).path("title").asText()).isEqualTo("notes");
        assertThat(items.get(0).path("iter").isNull()).isTrue();
        JsonNode one = api.okGet("/tasks/" + id + "/texts/1");
        assertThat(one.path("text").asText()).isEqualTo("# Done\nall good");
        assertThat(one.path("iter").asLong()).isEqualTo(10);
    }

    @Test
    void configsRoundTripAndReplace() {
        String id = f.runningTask("configs", 1);
        Api.Res r = put("/tasks/" + id + "/configs/train", Json.object().put("format", "json").put("content", "{\"lr\":0.1}"));
        assertThat(r.status()).isEqualTo(200);
        assertThat(r.json().path("created").asBoolean()).isTrue();
        assertThat(put("/tasks/" + id + "/configs/train", Json.object().put("format", "json").put("content", "{\"lr\":0.2}"))
                .json().path("created").asBoolean()).isFalse();
        assertThat(put("/tasks/" + id + "/configs/env", Json.object().put("format", "yaml").put("content", "a: 1\n")).status()).isEqualTo(200);
        JsonNode items = api.okGet("/tasks/" + id + "/configs").path("items");
        assertThat(items).hasSize(2);
        assertThat(items.get(0).path("name").asText()).isEqualTo("env");
        assertThat(items.get(0).path("content").isMissingNode()).isTrue();
        JsonNode c = api.okGet("/tasks/" + id + "/configs/train");
        assertThat(c.path("content").asText()).isEqualTo("{\"lr\":0.2}");
        assertThat(c.path("format").asText()).isEqualTo("json");
        assertThat(api.get("/tasks/" + id + "/configs/nope").status()).isEqualTo(404);
        assertThat(put("/tasks/" + id + "/configs/bad", Json.object().put("format", "json").put("content", "{nope")).status()).isEqualTo(400);
        assertThat(put("/tasks/" + id + "/configs/bad", Json.object().put("format", "toml").put("content", "")).errorMessage()).contains("format");
        assertThat(put("/tasks/" + id + "/configs/bad", Json.object().put("format", "text").put("content", "x").put("x", 1)).status())
                .isEqualTo(400);
        assertThat(put("/tasks/" + id + "/configs/bad", Json.object().put("format", "text").put("content", "x".repeat((1 << 20) + 1))).status())
                .isEqualTo(413);
    }

    @Test
    void validationAndFencing() {
        String id = f.runningTask("fence", 5);
        String url = "/tasks/" + id + "/plots";
        assertThat(api.post(url, plot(5L, "t", "pie", 1)).errorMessage()).contains("kind");
        assertThat(api.post(url, plot(5L, "t", "line", 1).put("extra", 1)).status()).isEqualTo(400);
        assertThat(api.post(url, plot(5L, "", "line", 1)).errorMessage()).contains("title");
        assertThat(api.post(url, plot(5L, "t", "line", -1)).errorMessage()).contains("iter");
        assertThat(api.post(url, plot(null, "t", "line", 1)).errorMessage()).contains("epoch");
        assertThat(api.post(url + "/user", plot(5L, "t", "line", 1)).status()).isEqualTo(400);
        ObjectNode big = plot(5L, "t", "table", 1);
        ((ObjectNode) big.get("spec")).put("blob", "x".repeat((1 << 20) + 10));
        assertThat(api.post(url, big).status()).isEqualTo(413);
        assertThat(api.post("/tasks/" + id + "/texts", Json.object().put("epoch", 5).put("title", "t").put("text", "y".repeat((256 << 10) + 1)))
                .status()).isEqualTo(413);
        assertThat(api.post("/tasks/" + id + "/texts", Json.object().put("epoch", 5).put("title", "t")).errorMessage()).contains("text");

        Api.Res stale = api.post(url, plot(4L, "t", "line", 1));
        assertThat(stale.status()).isEqualTo(409);
        assertThat(stale.errorCode()).isEqualTo("stale_lease");
        assertThat(api.post("/tasks/" + id + "/texts", Json.object().put("epoch", 6).put("title", "t").put("text", "x")).status()).isEqualTo(409);
        f.setStatus(id, "completed");
        assertThat(api.post(url, plot(5L, "t", "line", 1)).status()).isEqualTo(409);
        // a user key still annotates a finished task
        assertThat(api.post(url + "/user", plot(null, "t", "line", 1)).status()).isEqualTo(201);
        assertThat(api.get("/tasks/" + id + "/plots").json().path("items")).hasSize(1);
        assertThat(api.get("/tasks/000000000000000000000000/plots").status()).isEqualTo(404);
    }
}

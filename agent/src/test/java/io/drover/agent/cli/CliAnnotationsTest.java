package io.drover.agent.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.drover.controller.Controller;
import io.drover.controller.config.ControllerConfig;
import io.drover.shared.client.ApiClient;
import io.drover.shared.json.Json;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code drover tag}, {@code drover comment} and the annotations in {@code drover show}, against a real controller. */
class CliAnnotationsTest {
    @TempDir
    static Path tmp;
    static Controller controller;
    static Map<String, String> env;
    static ApiClient api;

    @BeforeAll
    static void start() throws Exception {
        controller = Controller.start(ControllerConfig.defaults().withPort(0).withDataDir(tmp.resolve("data")).withAuth(false));
        Path home = Files.createDirectories(tmp.resolve("home"));
        Files.writeString(home.resolve("config.json"), "{\"controller\":\"" + controller.baseUrl() + "\"}");
        env = Map.of("DROVER_HOME", home.toString());
        api = new ApiClient(controller.baseUrl(), null);
    }

    @AfterAll
    static void stop() {
        if (controller != null) controller.close();
    }

    static String task() {
        var b = Json.object().put("name", "annotated").put("project", "cli-notes");
        b.putObject("script").put("repo", "/tmp/repo").put("entryPoint", "train.py");
        return api.post("/api/v1/tasks", b).orElseThrow().path("id").asText();
    }

    static List<String> tags(String id) {
        List<String> out = new ArrayList<>();
        api.get("/api/v1/tasks/" + id).path("tags").forEach(t -> out.add(t.asText()));
        return out;
    }

    @Test
    void tagAddsAndRemovesTags() {
        String id = task();
        CliRun r = CliRun.of(env, "tag", id.substring(0, 16), "baseline", "gpu");
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.out()).contains("baseline, gpu");
        assertThat(tags(id)).containsExactly("baseline", "gpu");
        r = CliRun.of(env, "tag", id, "gpu", "--remove");
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(tags(id)).containsExactly("baseline");
        r = CliRun.of(env, "tag", id, "not valid");
        assertThat(r.code()).isEqualTo(1);
        assertThat(r.err()).contains("is not valid");
        assertThat(tags(id)).containsExactly("baseline");
    }

    @Test
    void commentAddsAndListsAndShowPrintsAnnotations() {
        String id = task();
        var patch = Json.object().put("description", "lr sweep, first point");
        patch.putObject("properties").put("dataset", "imagenet-v2");
        api.patch("/api/v1/tasks/" + id, patch);
        CliRun r = CliRun.of(env, "comment", id, "looks overfit");
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(CliRun.of(env, "comment", id, "rerun with dropout").code()).isZero();
        JsonNode comments = api.get("/api/v1/tasks/" + id + "/comments").path("items");
        assertThat(comments.findValuesAsText("text")).containsExactly("looks overfit", "rerun with dropout");
        r = CliRun.of(env, "comment", id);
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.out()).containsSubsequence("looks overfit", "rerun with dropout");
        CliRun.of(env, "tag", id, "baseline");

        r = CliRun.of(env, "show", id);
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.out()).containsPattern("tags +baseline")
                .containsPattern("description +lr sweep, first point")
                .containsPattern("comments +2 ")
                .containsPattern("dataset +imagenet-v2");
    }
}

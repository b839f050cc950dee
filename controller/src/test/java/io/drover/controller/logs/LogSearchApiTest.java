package io.drover.controller.logs;

import static io.drover.controller.logs.ExtrasFixture.json;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.drover.shared.json.Json;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code GET /tasks/{id}/logs?search=}: only matching lines, case-insensitive, paged by {@code next}, over real HTTP. */
class LogSearchApiTest {
    @TempDir
    static Path dir;
    static ExtrasFixture f;

    @BeforeAll
    static void start() throws Exception {
        f = new ExtrasFixture(dir);
    }

    @AfterAll
    static void stop() {
        f.close();
    }

    /** Line i reads "epoch i loss …", every 100th also says "ERROR: diverged". */
    static ObjectNode batch(long batch, int from, int n) {
        ObjectNode b = Json.object().put("epoch", 1).put("batch", batch);
        ArrayNode lines = b.putArray("lines");
        for (int i = from; i < from + n; i++) {
            lines.addObject().put("ts", "2026-11-26T07:00:00.000Z").put("stream", "stdout")
                    .put("text", "epoch " + i + " loss 0." + i + (i % 100 == 0 ? " ERROR: diverged" : ""));
        }
        return b;
    }

    static JsonNode search(String id, String text, String extra) throws Exception {
        var r = f.get("/api/v1/tasks/" + id + "/logs?search=" + URLEncoder.encode(text, StandardCharsets.UTF_8) + extra);
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        return json(r);
    }

    @Test
    void findsMatchingLinesCaseInsensitivelyAndPagesThroughThem() throws Exception {
        String id = f.runningTask("search", 1);
        for (int b = 0; b < 3; b++) f.postJson("/api/v1/tasks/" + id + "/logs", batch(b, 1 + b * 400, 400)); // lines 1..1200

        JsonNode all = search(id, "error: DIVERGED", "");
        List<Long> seqs = new ArrayList<>();
        all.path("lines").forEach(l -> seqs.add(l.path("seq").asLong()));
        assertThat(seqs).containsExactly(100L, 200L, 300L, 400L, 500L, 600L, 700L, 800L, 900L, 1000L, 1100L, 1200L);
        assertThat(all.path("lines").get(0).path("text").asText()).isEqualTo("epoch 100 loss 0.100 ERROR: diverged");
        assertThat(all.path("next").asLong()).isEqualTo(1200);
        assertThat(all.path("more").asBoolean()).isFalse();
        assertThat(all.path("status").asText()).isEqualTo("running");

        // paging: limit 5 stops at the 5th match; next continues after it
        JsonNode p1 = search(id, "diverged", "&limit=5");
        assertThat(p1.path("lines")).hasSize(5);
        assertThat(p1.path("next").asLong()).isEqualTo(500);
        assertThat(p1.path("more").asBoolean()).isTrue();
        JsonNode p2 = search(id, "diverged", "&limit=5&after=" + p1.path("next").asLong());
        assertThat(p2.path("lines").get(0).path("seq").asLong()).isEqualTo(600);

        // a substring that is in one line only, and one that is in none
        assertThat(search(id, "epoch 777 ", "").path("lines")).hasSize(1);
        JsonNode none = search(id, "no such text", "");
        assertThat(none.path("lines")).isEmpty();
        assertThat(none.path("next").asLong()).isEqualTo(1200);

        // new lines later: the search continues from next
        f.postJson("/api/v1/tasks/" + id + "/logs", batch(9, 1201, 100));
        JsonNode later = search(id, "diverged", "&after=" + all.path("next").asLong());
        assertThat(later.path("lines")).hasSize(1);
        assertThat(later.path("lines").get(0).path("seq").asLong()).isEqualTo(1300);
    }

    @Test
    void badSearchesAreRefusedWithAReason() throws Exception {
        String id = f.runningTask("bad-search", 1);
        var r = f.get("/api/v1/tasks/" + id + "/logs?search=");
        assertThat(r.statusCode()).isEqualTo(400);
        assertThat(r.body()).contains("search");
        r = f.get("/api/v1/tasks/" + id + "/logs?search=x&wait=5");
        assertThat(r.statusCode()).isEqualTo(400);
        assertThat(r.body()).contains("wait");
        assertThat(f.get("/api/v1/tasks/" + id + "/logs?search=" + "x".repeat(257)).statusCode()).isEqualTo(400);
        assertThat(f.get("/api/v1/tasks/0123456789abcdef01234567/logs?search=x").statusCode()).isEqualTo(404);
    }
}

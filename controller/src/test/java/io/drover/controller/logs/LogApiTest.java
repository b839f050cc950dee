package io.drover.controller.logs;

import static io.drover.controller.logs.ExtrasFixture.json;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.drover.shared.json.Json;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The logs API over real HTTP against a controller on the embedded store. */
class LogApiTest {
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

    static ObjectNode batch(long epoch, long batch, String prefix, int n) {
        ObjectNode b = Json.object().put("epoch", epoch).put("batch", batch);
        ArrayNode lines = b.putArray("lines");
        for (int i = 0; i < n; i++) {
            lines.addObject().put("ts", "2026-11-26T07:00:00.000Z").put("stream", i % 2 == 0 ? "stdout" : "stderr")
                    .put("text", prefix + i);
        }
        return b;
    }

    static List<String> texts(JsonNode page) {
        List<String> out = new ArrayList<>();
        page.path("lines").forEach(l -> out.add(l.path("text").asText()));
        return out;
    }

    @Test
    void batchesAreReadBackInOrderWithPaging() throws Exception {
        String id = f.runningTask("paging", 1);
        // 3 batches, 600 lines: crosses chunk boundaries (256 lines per chunk)
        assertThat(json(f.postJson("/api/v1/tasks/" + id + "/logs", batch(1, 0, "a", 200))).path("next").asLong()).isEqualTo(200);
        assertThat(json(f.postJson("/api/v1/tasks/" + id + "/logs", batch(1, 1, "b", 300))).path("next").asLong()).isEqualTo(500);
        assertThat(json(f.postJson("/api/v1/tasks/" + id + "/logs", batch(1, 2, "c", 100))).path("next").asLong()).isEqualTo(600);

        List<String> all = new ArrayList<>();
        long after = 0;
        int pages = 0;
        while (true) {
            JsonNode page = json(f.get("/api/v1/tasks/" + id + "/logs?after=" + after + "&limit=250"));
            assertThat(page.path("status").asText()).isEqualTo("running");
            if (page.path("lines").isEmpty()) break;
            JsonNode first = page.path("lines").get(0);
            assertThat(first.path("seq").asLong()).isEqualTo(after + 1);
            all.addAll(texts(page));
            after = page.path("next").asLong();
            pages++;
        }
        assertThat(pages).isEqualTo(3);
        assertThat(all).hasSize(600);
        assertThat(all.get(0)).isEqualTo("a0");
        assertThat(all.get(199)).isEqualTo("a199");
        assertThat(all.get(200)).isEqualTo("b0");
        assertThat(all.get(599)).isEqualTo("c99");
        JsonNode one = json(f.get("/api/v1/tasks/" + id + "/logs?after=200&limit=1")).path("lines").get(0);
        assertThat(one.path("seq").asLong()).isEqualTo(201);
        assertThat(one.path("stream").asText()).isEqualTo("stdout");
        assertThat(one.path("ts").asText()).isEqualTo("2026-11-26T07:00:00Z");

        HttpResponse<String> download = f.get("/api/v1/tasks/" + id + "/logs/download");
        assertThat(download.statusCode()).isEqualTo(200);
        assertThat(download.headers().firstValue("Content-Type")).hasValueSatisfying(t -> assertThat(t).startsWith("text/plain"));
        String[] lines = download.body().split("\n");
        assertThat(lines).hasSize(600);
        assertThat(lines[0]).isEqualTo("a0");
        assertThat(lines[599]).isEqualTo("c99");
    }

    @Test
    void retriedBatchIsNotStoredTwice() throws Exception {
        String id = f.runningTask("retry", 4);
        f.postJson("/api/v1/tasks/" + id + "/logs", batch(4, 0, "x", 3));
        HttpResponse<String> again = f.postJson("/api/v1/tasks/" + id + "/logs", batch(4, 0, "x", 3));
        assertThat(again.statusCode()).isEqualTo(200);
        assertThat(json(again).path("next").asLong()).isEqualTo(3);
        f.postJson("/api/v1/tasks/" + id + "/logs", batch(4, 1, "y", 2));
        f.postJson("/api/v1/tasks/" + id + "/logs", batch(4, 0, "x", 3)); // a late retry of the first one
        assertThat(texts(json(f.get("/api/v1/tasks/" + id + "/logs")))).containsExactly("x0", "x1", "x2", "y0", "y1");
    }

    @Test
    void staleEpochIsRefusedWith409() throws Exception {
        String id = f.runningTask("stale", 7);
        HttpResponse<String> r = f.postJson("/api/v1/tasks/" + id + "/logs", batch(6, 0, "old", 1));
        assertThat(r.statusCode()).isEqualTo(409);
        assertThat(json(r).path("error").path("code").asText()).isEqualTo("stale_lease");
        f.setStatus(id, "completed");
        assertThat(f.postJson("/api/v1/tasks/" + id + "/logs", batch(7, 0, "late", 1)).statusCode()).isEqualTo(409);
        assertThat(json(f.get("/api/v1/tasks/" + id + "/logs")).path("lines")).isEmpty();
    }

    @Test
    void longPollIsWokenByAnAppend() throws Exception {
        String id = f.runningTask("follow", 1);
        f.postJson("/api/v1/tasks/" + id + "/logs", batch(1, 0, "first", 1));
        CompletableFuture<HttpResponse<String>> poll = f.http.sendAsync(
                java.net.http.HttpRequest.newBuilder(f.uri("/api/v1/tasks/" + id + "/logs?after=1&wait=20")).build(),
                HttpResponse.BodyHandlers.ofString());
        Thread.sleep(300); // let the poll park
        assertThat(poll).isNotDone();
        long t0 = System.nanoTime();
        f.postJson("/api/v1/tasks/" + id + "/logs", batch(1, 1, "second", 1));
        HttpResponse<String> r = poll.get(5, TimeUnit.SECONDS);
        long ms = (System.nanoTime() - t0) / 1_000_000;
        assertThat(ms).isLessThan(500);
        assertThat(texts(json(r))).containsExactly("second0");
        assertThat(json(r).path("next").asLong()).isEqualTo(2);
    }

    @Test
    void longPollEndsWhenTheTaskIsFinalAndTimesOutOtherwise() throws Exception {
        String id = f.runningTask("quiet", 1);
        long t0 = System.nanoTime();
        JsonNode r = json(f.get("/api/v1/tasks/" + id + "/logs?after=0&wait=1"));
        assertThat((System.nanoTime() - t0) / 1_000_000).isBetween(900L, 3000L);
        assertThat(r.path("lines")).isEmpty();
        assertThat(r.path("next").asLong()).isZero();
        f.setStatus(id, "failed");
        t0 = System.nanoTime();
        r = json(f.get("/api/v1/tasks/" + id + "/logs?after=0&wait=20"));
        assertThat((System.nanoTime() - t0) / 1_000_000).isLessThan(1000);
        assertThat(r.path("status").asText()).isEqualTo("failed");
    }

    @Test
    void oversizedBatchesAre413() throws Exception {
        String id = f.runningTask("big", 1);
        ObjectNode tooMany = batch(1, 0, "l", 5001);
        HttpResponse<String> r = f.postJson("/api/v1/tasks/" + id + "/logs", tooMany);
        assertThat(r.statusCode()).isEqualTo(413);
        assertThat(json(r).path("error").path("message").asText()).contains("5000");

        ObjectNode huge = Json.object().put("epoch", 1).put("batch", 1);
        ArrayNode lines = huge.putArray("lines");
        String text = "z".repeat(15_000);
        for (int i = 0; i < 150; i++) lines.addObject().put("stream", "stdout").put("text", text); // ~2.2 MB
        r = f.postJson("/api/v1/tasks/" + id + "/logs", huge);
        assertThat(r.statusCode()).isEqualTo(413);
        assertThat(json(r).path("error").path("code").asText()).isEqualTo("payload_too_large");
        assertThat(json(r).path("error").path("message").asText()).contains("2 MiB");
        assertThat(json(f.get("/api/v1/tasks/" + id + "/logs")).path("lines")).isEmpty();
    }

    @Test
    void longLinesAreTruncatedAndBadInputNamed() throws Exception {
        String id = f.runningTask("long", 1);
        ObjectNode b = Json.object().put("epoch", 1).put("batch", 0);
        b.putArray("lines").addObject().put("stream", "stdout").put("text", "é".repeat(20_000));
        assertThat(f.postJson("/api/v1/tasks/" + id + "/logs", b).statusCode()).isEqualTo(200);
        String text = json(f.get("/api/v1/tasks/" + id + "/logs")).path("lines").get(0).path("text").asText();
        assertThat(text.getBytes(java.nio.charset.StandardCharsets.UTF_8).length).isLessThanOrEqualTo(16 * 1024);
        assertThat(text).endsWith(LogBatch.TRUNCATED).startsWith("éé");

        HttpResponse<String> typo = f.postJson("/api/v1/tasks/" + id + "/logs", "{\"epoch\":1,\"batch\":1,\"line\":[]}");
        assertThat(typo.statusCode()).isEqualTo(400);
        assertThat(json(typo).path("error").path("message").asText()).contains("'line'");
        HttpResponse<String> badStream = f.postJson("/api/v1/tasks/" + id + "/logs",
                "{\"epoch\":1,\"batch\":1,\"lines\":[{\"stream\":\"stdin\",\"text\":\"x\"}]}");
        assertThat(badStream.statusCode()).isEqualTo(400);
        assertThat(json(badStream).path("error").path("message").asText()).contains("lines[0].stream");
        assertThat(f.get("/api/v1/tasks/" + id + "/logs?after=-1").statusCode()).isEqualTo(400);
        assertThat(f.get("/api/v1/tasks/" + id + "/logs?wait=31").statusCode()).isEqualTo(400);
        assertThat(f.get("/api/v1/tasks/0123456789abcdef01234567/logs").statusCode()).isEqualTo(404);
        assertThat(f.get("/api/v1/tasks/nope/logs").statusCode()).isEqualTo(400);
    }
}

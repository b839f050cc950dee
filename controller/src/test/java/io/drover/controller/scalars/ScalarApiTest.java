package io.drover.controller.scalars;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.drover.controller.logs.ExtrasFixture;
import io.drover.controller.testing.Api;
import io.drover.shared.json.Json;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.function.LongToDoubleFunction;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The scalars API over real HTTP (auth off) on the embedded store: ingest, read, downsampling, limits, fencing. */
class ScalarApiTest {
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

    static ObjectNode batch(Long epoch, Long batch, String metric, String variant, long from, int n, LongToDoubleFunction value) {
        ObjectNode b = Json.object();
        if (epoch != null) b.put("epoch", epoch);
        if (batch != null) b.put("batch", batch);
        ArrayNode ps = b.putArray("points");
        for (long i = from; i < from + n; i++) {
            ObjectNode p = ps.addObject().put("metric", metric).put("iter", i).put("value", value.applyAsDouble(i)).put("ts", 1_700_000_000_000L + i);
            if (variant != null) p.put("variant", variant);
        }
        return b;
    }

    static String seriesPath(String id, String metric, String query) {
        return "/tasks/" + id + "/scalars/" + URLEncoder.encode(metric, StandardCharsets.UTF_8).replace("+", "%20") + "?" + query;
    }

    @Test
    void ingestListReadAndTaskSummaries() {
        String id = f.runningTask("roundtrip", 3);
        JsonNode r = api.ok("/tasks/" + id + "/scalars", batch(3L, 0L, "loss", "train", 0, 50, i -> 10.0 - i * 0.1));
        assertThat(r.path("stored").asInt()).isEqualTo(50);
        api.ok("/tasks/" + id + "/scalars", batch(3L, 1L, "loss", "val", 0, 5, i -> 7.0 + i));
        api.ok("/tasks/" + id + "/scalars", batch(3L, 2L, "acc.top-1", null, 0, 3, i -> 0.5 + i / 10.0));

        JsonNode list = api.okGet("/tasks/" + id + "/scalars").path("items");
        assertThat(list).hasSize(3);
        assertThat(list.get(0).path("metric").asText()).isEqualTo("acc.top-1");
        assertThat(list.get(1).path("variant").asText()).isEqualTo("train");
        assertThat(list.get(1).path("count").asLong()).isEqualTo(50);

        JsonNode s = api.okGet(seriesPath(id, "loss", "variant=train"));
        assertThat(s.path("downsampled").asBoolean()).isFalse();
        assertThat(s.path("points")).hasSize(50);
        assertThat(s.path("points").get(10).path("iter").asLong()).isEqualTo(10);
        assertThat(s.path("points").get(10).path("value").asDouble()).isEqualTo(9.0);
        assertThat(s.path("points").get(10).path("ts").asText()).isEqualTo("2023-11-14T22:13:20.010Z");

        JsonNode metrics = api.okGet("/tasks/" + id).path("metrics");
        assertThat(metrics.path("loss/train").path("last").asDouble()).isCloseTo(5.1, org.assertj.core.data.Offset.offset(1e-9));
        assertThat(metrics.path("loss/train").path("min").asDouble()).isCloseTo(5.1, org.assertj.core.data.Offset.offset(1e-9));
        assertThat(metrics.path("loss/train").path("max").asDouble()).isEqualTo(10.0);
        assertThat(metrics.path("loss/train").path("iter").asLong()).isEqualTo(49);
        assertThat(metrics.path("loss/val").path("max").asDouble()).isEqualTo(11.0);
        assertThat(metrics.path("acc.top-1").path("last").asDouble()).isCloseTo(0.7, org.assertj.core.data.Offset.offset(1e-9));

        // a metric name with '/' in the path, URL-encoded
        api.ok("/tasks/" + id + "/scalars", batch(3L, 3L, "eval/bleu", null, 0, 2, i -> i));
        assertThat(api.okGet(seriesPath(id, "eval/bleu", "")).path("points")).hasSize(2);
        Api.Res missing = api.get(seriesPath(id, "loss", "variant=test"));
        assertThat(missing.status()).isEqualTo(404);
        assertThat(missing.errorMessage()).contains("/scalars lists its series");
    }

    @Test
    void aRetriedBatchIsStoredOnceAndAStaleEpochIs409() {
        String id = f.runningTask("fenced", 5);
        ObjectNode b = batch(5L, 7L, "loss", null, 0, 10, i -> i);
        assertThat(api.ok("/tasks/" + id + "/scalars", b).path("duplicate").asBoolean()).isFalse();
        assertThat(api.ok("/tasks/" + id + "/scalars", b).path("duplicate").asBoolean()).isTrue();
        assertThat(api.okGet("/tasks/" + id + "/scalars").path("items").get(0).path("count").asLong()).isEqualTo(10);

        Api.Res stale = api.post("/tasks/" + id + "/scalars", batch(4L, 8L, "loss", null, 10, 1, i -> i));
        assertThat(stale.status()).isEqualTo(409);
        assertThat(stale.errorCode()).isEqualTo("stale_lease");
        f.setStatus(id, "completed");
        assertThat(api.post("/tasks/" + id + "/scalars", batch(5L, 9L, "loss", null, 10, 1, i -> i)).status()).isEqualTo(409);
        Api.Res noEpoch = api.post("/tasks/" + id + "/scalars", batch(null, null, "loss", null, 10, 1, i -> i));
        assertThat(noEpoch.status()).isEqualTo(400);
        assertThat(noEpoch.errorMessage()).contains("epoch");
        // the user route takes batches without an epoch, in any status
        assertThat(api.ok("/tasks/" + id + "/scalars/user", batch(null, null, "loss", null, 10, 1, i -> i)).path("stored").asInt()).isEqualTo(1);
    }

    @Test
    void limitsAreRefusedWithTheReason() {
        String id = f.runningTask("limits", 1);
        String url = "/tasks/" + id + "/scalars";
        Api.Res tooMany = api.post(url, batch(1L, null, "m", null, 0, ScalarBatch.MAX_POINTS + 1, i -> i));
        assertThat(tooMany.status()).isEqualTo(413);
        assertThat(tooMany.errorMessage()).contains("at most 10000");
        assertThat(api.post(url, batch(1L, null, "m", null, 0, ScalarBatch.MAX_POINTS, i -> i)).status()).isEqualTo(200);

        String inf = "{\"epoch\":1,\"points\":[{\"metric\":\"m\",\"iter\":1,\"value\":1e400}]}";
        Api.Res r = api.post(url, inf);
        assertThat(r.status()).isEqualTo(400);
        assertThat(r.errorMessage()).contains("finite");
        assertThat(api.post(url, "{\"epoch\":1,\"points\":[{\"metric\":\"m\",\"iter\":1,\"value\":\"NaN\"}]}").errorMessage()).contains("finite");
        assertThat(api.post(url, "{\"epoch\":1,\"points\":[{\"metric\":\"m\",\"iter\":-1,\"value\":1}]}").errorMessage()).contains("iter");
        assertThat(api.post(url, "{\"epoch\":1,\"points\":[{\"metric\":\"m\",\"iter\":1.5,\"value\":1}]}").errorMessage()).contains("iter");
        Api.Res longName = api.post(url, batch(1L, null, "x".repeat(129), null, 0, 1, i -> i));
        assertThat(longName.status()).isEqualTo(400);
        assertThat(longName.errorMessage()).contains("128");
        assertThat(api.post(url, batch(1L, null, "x".repeat(128), "y".repeat(129), 0, 1, i -> i)).errorMessage()).contains("variant");
        assertThat(api.post(url, "{\"epoch\":1,\"points\":[{\"metric\":\"m\",\"iter\":1,\"value\":1,\"extra\":2}]}").errorMessage())
                .contains("unknown field 'points[0].extra'");
        assertThat(api.get(seriesPath(id, "m", "maxPoints=0")).status()).isEqualTo(400);
        assertThat(api.get(seriesPath(id, "m", "x=wall")).status()).isEqualTo(400);
    }

    @Test
    void aMillionPointsAreDownsampledWithTheSpikeKept() {
        String id = f.runningTask("million", 1);
        long spikeAt = 543_210;
        LongToDoubleFunction v = i -> i == spikeAt ? 1e6 : (i % 100) / 100.0;
        for (int b = 0; b < 100; b++) {
            api.ok("/tasks/" + id + "/scalars", batch(1L, (long) b, "loss", "train", b * 10_000L, 10_000, v));
        }
        JsonNode s = api.okGet(seriesPath(id, "loss", "variant=train&maxPoints=2000"));
        assertThat(s.path("count").asLong()).isEqualTo(1_000_000);
        assertThat(s.path("downsampled").asBoolean()).isTrue();
        JsonNode buckets = s.path("buckets");
        assertThat(buckets.size()).isBetween(2, 2000);
        long total = 0;
        double maxSeen = 0;
        long prevEnd = -1;
        for (JsonNode b : buckets) {
            total += b.path("n").asLong();
            assertThat(b.path("iter0").asLong()).isGreaterThan(prevEnd);
            prevEnd = b.path("iter1").asLong();
            if (b.path("max").asDouble() > maxSeen) maxSeen = b.path("max").asDouble();
            if (b.path("iter0").asLong() <= spikeAt && spikeAt <= b.path("iter1").asLong()) {
                assertThat(b.path("max").asDouble()).isEqualTo(1e6);
            } else {
                // every other bucket holds whole runs of 0.00..0.99
                assertThat(b.path("min").asDouble()).isEqualTo(0.0);
                assertThat(b.path("max").asDouble()).isEqualTo(0.99);
                assertThat(b.path("avg").asDouble()).isCloseTo(0.495, org.assertj.core.data.Offset.offset(1e-9));
            }
        }
        assertThat(total).isEqualTo(1_000_000);
        assertThat(maxSeen).isEqualTo(1e6);

        // fewer points asked than bucket documents: summaries merged, spike still there
        JsonNode coarse = api.okGet(seriesPath(id, "loss", "variant=train&maxPoints=100")).path("buckets");
        assertThat(coarse.size()).isLessThanOrEqualTo(100);
        assertThat(coarse.findValues("max").stream().mapToDouble(JsonNode::asDouble).max().orElse(0)).isEqualTo(1e6);
        assertThat(coarse.findValues("n").stream().mapToLong(JsonNode::asLong).sum()).isEqualTo(1_000_000);

        // raw paging: whole pages in iteration order
        JsonNode page = api.okGet(seriesPath(id, "loss", "variant=train&raw=true&limit=5000&after=543000"));
        assertThat(page.path("points")).hasSize(5000);
        assertThat(page.path("points").get(0).path("iter").asLong()).isEqualTo(543_001);
        assertThat(page.path("points").get(209).path("value").asDouble()).isEqualTo(1e6);
        assertThat(page.path("next").asLong()).isEqualTo(548_000);

        JsonNode task = api.okGet("/tasks/" + id).path("metrics").path("loss/train");
        assertThat(task.path("max").asDouble()).isEqualTo(1e6);
        assertThat(task.path("last").asDouble()).isEqualTo(0.99);
        assertThat(task.path("iter").asLong()).isEqualTo(999_999);
    }

    @Test
    void aMidSizedSeriesIsBinnedFromRawPoints() {
        String id = f.runningTask("binned", 1);
        // 20,000 points over 20 bucket documents, maxPoints 1000: 1000 bins of 20 points each
        for (int b = 0; b < 2; b++) {
            api.ok("/tasks/" + id + "/scalars", batch(1L, (long) b, "lr", null, b * 10_000L, 10_000, i -> i));
        }
        JsonNode buckets = api.okGet(seriesPath(id, "lr", "maxPoints=1000")).path("buckets");
        assertThat(buckets).hasSize(1000);
        JsonNode b7 = buckets.get(7);
        assertThat(b7.path("iter0").asLong()).isEqualTo(140);
        assertThat(b7.path("iter1").asLong()).isEqualTo(159);
        assertThat(b7.path("min").asDouble()).isEqualTo(140.0);
        assertThat(b7.path("max").asDouble()).isEqualTo(159.0);
        assertThat(b7.path("avg").asDouble()).isEqualTo(149.5);
        assertThat(b7.path("n").asLong()).isEqualTo(20);
    }
}

package io.drover.controller.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.drover.controller.Controller;
import io.drover.controller.testing.TestConfig;
import io.drover.queue.testing.EmbeddedMongo;
import io.drover.shared.json.Json;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code /ready} follows the store: ready while it answers, 503 once it is gone, while
 * {@code /health} (liveness) stays 200. Auth is on: both probes are public.
 */
class ReadyTest {
    @TempDir
    Path dir;

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @Test
    void readyWithTheEmbeddedStore() throws Exception {
        try (Controller c = Controller.start(TestConfig.forTest(dir))) {
            for (String path : new String[] {"/ready", "/api/v1/ready"}) {
                HttpResponse<String> r = get(c, path);
                assertThat(r.statusCode()).as(path + ": " + r.body()).isEqualTo(200);
                assertThat(Json.parse(r.body()).path("status").asText()).isEqualTo("ready");
                assertThat(Json.parse(r.body()).path("store").asText()).isEqualTo("ok");
            }
        }
    }

    @Test
    void notReadyOnceTheStoreIsGoneButStillLive() throws Exception {
        EmbeddedMongo mongo = EmbeddedMongo.memory();
        try (Controller c = Controller.start(TestConfig.forTest(dir).withMongoUri(mongo.uri() + "/drover_ready"))) {
            assertThat(get(c, "/ready").statusCode()).isEqualTo(200);

            mongo.close(); // the store goes away under a running controller

            long t0 = System.nanoTime();
            HttpResponse<String> r = get(c, "/ready");
            long ms = (System.nanoTime() - t0) / 1_000_000;
            assertThat(r.statusCode()).as(r.body()).isEqualTo(503);
            assertThat(Json.parse(r.body()).path("status").asText()).isEqualTo("not ready");
            assertThat(Json.parse(r.body()).path("store").asText()).startsWith("unreachable: no answer to a ping within 2 s");
            assertThat(ms).as("a probe must answer quickly").isLessThan(8_000);
            assertThat(get(c, "/api/v1/ready").statusCode()).isEqualTo(503);
            HttpResponse<String> health = get(c, "/health");
            assertThat(health.statusCode()).as(health.body()).isEqualTo(200);
        } finally {
            mongo.close();
        }
    }

    private HttpResponse<String> get(Controller c, String path) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(c.baseUrl() + path)).timeout(Duration.ofSeconds(30)).build(),
                HttpResponse.BodyHandlers.ofString());
    }
}

package io.drover.controller.outage;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.mongodb.MongoSocketOpenException;
import com.mongodb.MongoTimeoutException;
import com.mongodb.ServerAddress;
import io.drover.controller.Controller;
import io.drover.controller.auth.Bootstrap;
import io.drover.controller.store.StoreOutage;
import io.drover.controller.testing.TestConfig;
import io.drover.queue.testing.EmbeddedMongo;
import io.drover.shared.json.Json;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletionException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A store that goes away under a running controller: API requests answer 503 {@code unavailable}
 * (reason {@code store_unavailable}) with a Retry-After and a message that says what to do, in
 * seconds, never a 500; the outage is logged once, not per request; no driver text (hosts,
 * connection strings) reaches the answer.
 */
class StoreUnavailableApiTest {
    @TempDir
    Path dir;

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @Test
    void storeFailuresAreToldFromOtherErrors() {
        assertThat(StoreOutage.kind(new MongoTimeoutException("Timed out after 5000 ms"))).hasValue("no store server answered in time");
        Throwable wrapped = new CompletionException(new RuntimeException("reading a task",
                new MongoSocketOpenException("Exception opening socket", new ServerAddress("10.0.0.1", 27017), new IOException("refused"))));
        assertThat(StoreOutage.kind(wrapped)).hasValue("the connection to the store failed");
        assertThat(StoreOutage.kind(new IllegalStateException("a bug"))).isEmpty();
        assertThat(StoreOutage.kind(new com.mongodb.MongoException("E11000 duplicate key"))).isEmpty();
        assertThat(StoreOutage.message("no store server answered in time"))
                .isEqualTo("the store is not reachable (no store server answered in time); the controller retries on its own: try again shortly");
    }

    @Test
    void driverTextIsMaskedBeforeItIsLogged() {
        String masked = StoreOutage.mask("cannot use mongodb://drover:Sup3r-Secret@db1:27017,db2/drover?replicaSet=rs0 now");
        assertThat(masked).doesNotContain("Sup3r-Secret").contains("mongodb://drover:****@db1:27017");
    }

    @Test
    void apiAnswers503WithRetryAfterWhileTheStoreIsGone() throws Exception {
        EmbeddedMongo mongo = EmbeddedMongo.memory();
        // the URI's own timeout wins over the controller's 5 s default (and keeps this test short)
        try (Controller c = Controller.start(TestConfig.forTest(dir).withMongoUri(mongo.uri() + "/drover_outage?serverSelectionTimeoutMS=1500"))) {
            Bootstrap.Result boot = c.bootstrap();
            assertThat(get(c, "/api/v1/tasks", boot.adminKey()).statusCode()).isEqualTo(200);
            long outagesBefore = StoreOutage.get().outages();

            mongo.close(); // the store goes away under a running controller

            {
                long t0 = System.nanoTime();
                HttpResponse<String> r = get(c, "/api/v1/tasks", boot.adminKey());
                long ms = (System.nanoTime() - t0) / 1_000_000;
                assertThat(r.statusCode()).as(r.body()).isEqualTo(503);
                assertThat(r.headers().firstValue("Retry-After")).hasValue("5");
                JsonNode e = Json.parse(r.body()).path("error");
                assertThat(e.path("code").asText()).isEqualTo("unavailable");
                assertThat(e.path("reason").asText()).isEqualTo("store_unavailable");
                assertThat(e.path("message").asText()).startsWith("the store is not reachable (")
                        .endsWith("; the controller retries on its own: try again shortly")
                        .doesNotContain("127.0.0.1").doesNotContain("Exception").doesNotContain("mongodb://");
                assertThat(ms).as("a request fails after the URI's 1.5 s server selection, it does not hang").isLessThan(6_000);
            }
            HttpResponse<String> write = post(c, "/api/v1/tasks", boot.adminKey(),
                    "{\"name\":\"t\",\"script\":{\"repo\":\"/tmp/r\",\"entryPoint\":\"x.py\"}}");
            assertThat(write.statusCode()).as(write.body()).isEqualTo(503);
            assertThat(StoreOutage.get().outages()).as("one outage, logged once").isEqualTo(outagesBefore + 1);
            assertThat(get(c, "/health", null).statusCode()).isEqualTo(200);
        } finally {
            mongo.close();
        }
    }

    private HttpResponse<String> get(Controller c, String path, String key) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(c.baseUrl() + path)).timeout(Duration.ofSeconds(30));
        if (key != null) b.header("Authorization", "Bearer " + key);
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> post(Controller c, String path, String key, String json) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(c.baseUrl() + path)).timeout(Duration.ofSeconds(30))
                .header("Authorization", "Bearer " + key).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(json)).build(), HttpResponse.BodyHandlers.ofString());
    }
}

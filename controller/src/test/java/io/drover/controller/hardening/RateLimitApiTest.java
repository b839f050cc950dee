package io.drover.controller.hardening;

import static org.assertj.core.api.Assertions.assertThat;

import io.drover.controller.Controller;
import io.drover.controller.testing.Api;
import io.drover.controller.testing.TestConfig;
import io.drover.shared.json.Json;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The per-credential write rate limit over real HTTP (a tiny limit: 1/s, bursts of 3). */
class RateLimitApiTest {
    @TempDir
    static Path dir;
    static Controller controller;
    static Api api;

    @BeforeAll
    static void start() throws Exception {
        controller = Controller.start(TestConfig.forTest(dir).withAuth(false).withWriteLimit(1, 3));
        api = new Api(controller.baseUrl());
    }

    @AfterAll
    static void stop() {
        controller.close();
    }

    @Test
    void writesBeyondTheBurstAre429WithRetryAfterAndReadsAreNotLimited() throws Exception {
        int ok = 0;
        HttpResponse<String> refused = null;
        for (int i = 0; i < 6 && refused == null; i++) {
            HttpResponse<String> r = post("/api/v1/projects", "{\"name\":\"rl-" + i + "\"}", null);
            if (r.statusCode() == 429) refused = r;
            else ok++;
        }
        assertThat(ok).isBetween(3, 4); // the burst (plus at most one token refilled meanwhile)
        assertThat(refused).isNotNull();
        assertThat(refused.headers().firstValue("Retry-After")).hasValue("1");
        assertThat(Json.parse(refused.body()).path("error").path("code").asText()).isEqualTo("too_many_requests");
        assertThat(Json.parse(refused.body()).path("error").path("message").asText()).contains("retry after 1 s");
        // reads pass while writes are refused
        for (int i = 0; i < 10; i++) assertThat(api.get("/projects").status()).isEqualTo(200);
        // another credential has its own bucket (the key is the presented credential, else the IP)
        HttpResponse<String> other = post("/api/v1/projects", "{\"name\":\"rl-other\"}", "Bearer drk_00112233445566aa_x");
        assertThat(other.statusCode()).isNotEqualTo(429);
        // after Retry-After the caller may write again
        Thread.sleep(1100);
        assertThat(post("/api/v1/projects", "{\"name\":\"rl-later\"}", null).statusCode()).isEqualTo(201);
    }

    private static HttpResponse<String> post(String path, String body, String authorization) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(controller.baseUrl() + path))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body));
        if (authorization != null) b.header("Authorization", authorization);
        return java.net.http.HttpClient.newHttpClient().send(b.build(), HttpResponse.BodyHandlers.ofString());
    }
}

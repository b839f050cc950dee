package io.drover.controller.hardening;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.drover.controller.Controller;
import io.drover.controller.testing.TestConfig;
import io.drover.shared.json.Json;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Auth on, real HTTP: password guessing is throttled, and the audit log (admins only) shows it. */
class LoginBruteForceTest {
    @TempDir
    Path dir;
    final HttpClient http = HttpClient.newHttpClient();

    @Test
    void fiveWrongPasswordsThrottleEvenTheRightOneAndTheAuditShowsThem() throws Exception {
        try (Controller c = Controller.start(TestConfig.forTest(dir))) {
            String admin = c.bootstrap().username();
            String password = c.bootstrap().password();
            String adminKey = c.bootstrap().adminKey();
            for (int i = 0; i < 5; i++) {
                HttpResponse<String> r = login(c, admin, "wrong-guess-" + i);
                assertThat(r.statusCode()).as(r.body()).isEqualTo(401);
            }
            HttpResponse<String> throttled = login(c, admin, password);
            assertThat(throttled.statusCode()).as(throttled.body()).isEqualTo(429);
            assertThat(Long.parseLong(throttled.headers().firstValue("Retry-After").orElseThrow())).isBetween(290L, 300L);
            assertThat(Json.parse(throttled.body()).path("error").path("code").asText()).isEqualTo("too_many_requests");
            assertThat(Json.parse(throttled.body()).path("error").path("message").asText()).contains("too many failed logins");
            // an API key still works: the throttle is on password guessing, not on the account
            assertThat(send(c, "GET", "/auth/me", null, adminKey).statusCode()).isEqualTo(200);

            List<JsonNode> logins = new ArrayList<>();
            for (int i = 0; i < 100 && logins.size() < 6; i++) {
                logins.clear();
                HttpResponse<String> a = send(c, "GET", "/audit?limit=100", null, adminKey);
                assertThat(a.statusCode()).as(a.body()).isEqualTo(200);
                for (JsonNode e : Json.parse(a.body()).path("items")) {
                    if (e.path("action").asText().equals("login")) logins.add(e);
                }
                Thread.sleep(50);
            }
            assertThat(logins).extracting(e -> e.path("outcome").asText())
                    .containsExactly("denied", "failed", "failed", "failed", "failed", "failed");
            assertThat(logins.get(0).path("detail").asText()).contains("throttled");
            assertThat(logins).allSatisfy(e -> {
                assertThat(e.path("target").asText()).isEqualTo(admin);
                assertThat(e.path("ip").asText()).isEqualTo("127.0.0.1");
            });

            // the audit log is for admins only
            assertThat(send(c, "GET", "/audit", null, null).statusCode()).isEqualTo(401);
            String user = "auditee";
            assertThat(send(c, "POST", "/users", "{\"username\":\"" + user + "\"}", adminKey).statusCode()).isEqualTo(201);
            HttpResponse<String> key = send(c, "POST", "/keys", "{\"user\":\"" + user + "\"}", adminKey);
            assertThat(key.statusCode()).as(key.body()).isEqualTo(201);
            String userKey = Json.parse(key.body()).path("key").asText();
            assertThat(send(c, "GET", "/audit", null, userKey).statusCode()).isEqualTo(403);
        }
    }

    private HttpResponse<String> login(Controller c, String user, String password) throws Exception {
        return send(c, "POST", "/auth/login", Json.write(Json.object().put("username", user).put("password", password)), null);
    }

    private HttpResponse<String> send(Controller c, String method, String path, String json, String key) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(c.baseUrl() + "/api/v1" + path)).timeout(Duration.ofSeconds(60));
        if (key != null) b.header("Authorization", "Bearer " + key);
        if (json != null) b.header("Content-Type", "application/json").method(method, HttpRequest.BodyPublishers.ofString(json));
        else b.method(method, HttpRequest.BodyPublishers.noBody());
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }
}

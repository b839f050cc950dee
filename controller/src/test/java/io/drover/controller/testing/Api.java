package io.drover.controller.testing;

import com.fasterxml.jackson.databind.JsonNode;
import io.drover.shared.json.Json;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/** Raw HTTP against a controller, keeping the status code (the shared ApiClient turns errors into exceptions). */
public final class Api {
    private final String base;
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    public Api(String baseUrl) {
        this.base = baseUrl + "/api/v1";
    }

    public record Res(int status, JsonNode json, String body) {
        public String errorCode() {
            return json == null ? null : json.path("error").path("code").asText(null);
        }

        public String errorMessage() {
            return json == null ? null : json.path("error").path("message").asText(null);
        }
    }

    public Res get(String path) {
        return send(HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(60)).GET().build());
    }

    public Res post(String path, String json) {
        return send(HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(60))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(json)).build());
    }

    public Res post(String path, Object body) {
        return post(path, Json.write(body));
    }

    public Res delete(String path) {
        return send(HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(60)).DELETE().build());
    }

    /** POST that must succeed with 2xx; returns the JSON. */
    public JsonNode ok(String path, Object body) {
        Res r = post(path, body);
        if (r.status() / 100 != 2) throw new AssertionError("POST " + path + " → " + r.status() + " " + r.body());
        return r.json();
    }

    public JsonNode okGet(String path) {
        Res r = get(path);
        if (r.status() / 100 != 2) throw new AssertionError("GET " + path + " → " + r.status() + " " + r.body());
        return r.json();
    }

    public Res send(HttpRequest req) {
        try {
            HttpResponse<String> r = http.send(req, HttpResponse.BodyHandlers.ofString());
            JsonNode j = null;
            if (r.body() != null && !r.body().isBlank()) {
                try {
                    j = Json.parse(r.body());
                } catch (IllegalArgumentException notJson) {
                    // keep the raw body
                }
            }
            return new Res(r.statusCode(), j, r.body());
        } catch (Exception e) {
            throw new AssertionError("request " + req.method() + " " + req.uri() + " failed: " + e, e);
        }
    }
}

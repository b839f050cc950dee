package io.drover.controller.auth;

import com.fasterxml.jackson.databind.JsonNode;
import io.drover.controller.testing.Api;
import io.drover.shared.json.Json;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

/** Raw HTTP as one caller: optional bearer key, session cookie, CSRF and lease headers. */
final class Caller {
    private final String base;
    private final Map<String, String> headers = new LinkedHashMap<>();
    private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .followRedirects(HttpClient.Redirect.NEVER).build();
    private final Api raw;

    Caller(String baseUrl) {
        this.base = baseUrl;
        this.raw = new Api(baseUrl);
    }

    static Caller key(String baseUrl, String key) {
        return new Caller(baseUrl).with("Authorization", "Bearer " + key);
    }

    Caller with(String header, String value) {
        Caller c = new Caller(base);
        c.headers.putAll(headers);
        if (value == null) c.headers.remove(header);
        else c.headers.put(header, value);
        return c;
    }

    Api.Res get(String path) {
        return send("GET", path, null);
    }

    Api.Res post(String path, Object body) {
        return send("POST", path, body == null ? "{}" : body instanceof String s ? s : Json.write(body));
    }

    Api.Res put(String path, Object body) {
        return send("PUT", path, body instanceof String s ? s : Json.write(body));
    }

    Api.Res patch(String path, Object body) {
        return send("PATCH", path, Json.write(body));
    }

    Api.Res delete(String path) {
        return send("DELETE", path, null);
    }

    JsonNode ok(String method, String path, Object body) {
        Api.Res r = send(method, path, body == null ? null : body instanceof String s ? s : Json.write(body));
        if (r.status() / 100 != 2) throw new AssertionError(method + " " + path + " → " + r.status() + " " + r.body());
        return r.json();
    }

    /** {@code path} under /api/v1 unless it starts with "!" (root path). */
    Api.Res send(String method, String path, String json) {
        String url = path.startsWith("!") ? base + path.substring(1) : base + "/api/v1" + path;
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(60));
        headers.forEach(b::header);
        if (json != null) {
            b.header("Content-Type", "application/json").method(method, HttpRequest.BodyPublishers.ofString(json));
        } else {
            b.method(method, HttpRequest.BodyPublishers.noBody());
        }
        return raw.send(b.build());
    }

    /** The full response (headers: cookies, Location). */
    java.net.http.HttpResponse<String> exchange(String method, String path, String json) throws Exception {
        String url = path.startsWith("!") ? base + path.substring(1) : base + "/api/v1" + path;
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(60));
        headers.forEach(b::header);
        if (json != null) b.header("Content-Type", "application/json").method(method, HttpRequest.BodyPublishers.ofString(json));
        else b.method(method, HttpRequest.BodyPublishers.noBody());
        return HTTP.send(b.build(), java.net.http.HttpResponse.BodyHandlers.ofString());
    }
}

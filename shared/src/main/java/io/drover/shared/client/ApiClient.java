package io.drover.shared.client;

import com.fasterxml.jackson.databind.JsonNode;
import io.drover.shared.domain.DroverException;
import io.drover.shared.domain.ErrorCode;
import io.drover.shared.json.Json;
import java.io.IOException;
import java.io.InputStream;
import java.net.ConnectException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.StringJoiner;

/**
 * Thin JSON-over-HTTP client for the controller's {@code /api/v1}, shared by the agent and the CLI.
 * Errors come back as {@link DroverException} carrying the server's code and message, so callers
 * print what the server said instead of a stack trace.
 */
public final class ApiClient {
    private final URI base;
    private final HttpClient http;
    private final String token;
    private final Map<String, String> headers;

    /**
     * @param baseUrl controller URL such as {@code http://127.0.0.1:8080}
     * @param token   bearer token sent as {@code Authorization}, or null
     */
    public ApiClient(String baseUrl, String token) {
        String b = baseUrl.endsWith("/") ? baseUrl.substring(0, baseUrl.length() - 1) : baseUrl;
        this.base = URI.create(b);
        this.token = token;
        this.http = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(5))
                .build();
        this.headers = Map.of();
    }

    private ApiClient(ApiClient from, Map<String, String> headers) {
        this.base = from.base;
        this.token = from.token;
        this.http = from.http;
        this.headers = Map.copyOf(headers);
    }

    /**
     * A client that also sends {@code name: value} on every request (e.g. a session cookie and
     * {@code X-CSRF-Token}, or an agent's {@code X-Drover-Lease}); shares the connection pool.
     */
    public ApiClient withHeader(String name, String value) {
        Map<String, String> h = new java.util.HashMap<>(headers);
        h.put(name, value);
        return new ApiClient(this, h);
    }

    public URI baseUri() {
        return base;
    }

    /** {@code GET} returning JSON. */
    public JsonNode get(String path) {
        return send(request(path, Duration.ofSeconds(30)).GET().build()).orElse(null);
    }

    /** {@code GET} with a longer timeout for long-polls ({@code wait} seconds on the server). */
    public Optional<JsonNode> getLong(String path, Duration timeout) {
        return send(request(path, timeout).GET().build());
    }

    /** {@code POST} a JSON body; empty when the server answered 204. */
    public Optional<JsonNode> post(String path, Object body) {
        return post(path, body, Duration.ofSeconds(30));
    }

    public Optional<JsonNode> post(String path, Object body, Duration timeout) {
        String json = body == null ? "{}" : (body instanceof String s ? s : Json.write(body));
        return send(request(path, timeout)
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(json)).build());
    }

    public Optional<JsonNode> put(String path, Object body) {
        String json = body == null ? "{}" : Json.write(body);
        return send(request(path, Duration.ofSeconds(30))
                .header("Content-Type", "application/json")
                .PUT(HttpRequest.BodyPublishers.ofString(json)).build());
    }

    public Optional<JsonNode> patch(String path, Object body) {
        String json = body == null ? "{}" : Json.write(body);
        return send(request(path, Duration.ofSeconds(30))
                .header("Content-Type", "application/json")
                .method("PATCH", HttpRequest.BodyPublishers.ofString(json)).build());
    }

    public Optional<JsonNode> delete(String path) {
        return send(request(path, Duration.ofSeconds(30)).DELETE().build());
    }

    /** Streams a file as the body of a {@code PUT} (artifact upload). */
    public Optional<JsonNode> putFile(String path, Path file, String contentType) {
        try {
            return send(request(path, Duration.ofMinutes(30))
                    .header("Content-Type", contentType == null ? "application/octet-stream" : contentType)
                    .PUT(HttpRequest.BodyPublishers.ofFile(file)).build());
        } catch (java.io.FileNotFoundException e) {
            throw new DroverException(ErrorCode.BAD_REQUEST, "file not found: " + file);
        }
    }

    /** Streams a response body (artifact download); the caller closes the stream. */
    public InputStream download(String path) {
        HttpRequest req = request(path, Duration.ofMinutes(30)).GET().build();
        try {
            HttpResponse<InputStream> r = http.send(req, HttpResponse.BodyHandlers.ofInputStream());
            if (r.statusCode() >= 300) {
                String body = new String(r.body().readAllBytes(), StandardCharsets.UTF_8);
                throw error(r.statusCode(), body);
            }
            return r.body();
        } catch (IOException e) {
            throw unreachable(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new DroverException(ErrorCode.UNAVAILABLE, "interrupted");
        }
    }

    private HttpRequest.Builder request(String path, Duration timeout) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path))
                .timeout(timeout)
                .header("Accept", "application/json");
        if (token != null && !token.isEmpty()) b.header("Authorization", "Bearer " + token);
        headers.forEach(b::header);
        return b;
    }

    private Optional<JsonNode> send(HttpRequest req) {
        try {
            HttpResponse<String> r = http.send(req, HttpResponse.BodyHandlers.ofString());
            if (r.statusCode() >= 300) throw error(r.statusCode(), r.body());
            if (r.statusCode() == 204 || r.body() == null || r.body().isEmpty()) return Optional.empty();
            return Optional.of(Json.parse(r.body()));
        } catch (HttpTimeoutException e) {
            throw new DroverException(ErrorCode.UNAVAILABLE, "controller at " + base + " did not answer in time");
        } catch (IOException e) {
            throw unreachable(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new DroverException(ErrorCode.UNAVAILABLE, "interrupted");
        }
    }

    private DroverException unreachable(IOException e) {
        String why = e instanceof ConnectException ? "connection refused" : String.valueOf(e.getMessage());
        return new DroverException(ErrorCode.UNAVAILABLE, "cannot reach the controller at " + base + " (" + why
                + "); is it running? start one with 'drover up' or set --controller / DROVER_CONTROLLER");
    }

    private static DroverException error(int status, String body) {
        ErrorCode code = ErrorCode.INTERNAL;
        String message = "HTTP " + status;
        try {
            JsonNode e = Json.parse(body).path("error");
            if (e.has("message")) message = e.get("message").asText();
            if (e.has("code")) code = ErrorCode.valueOf(e.get("code").asText().toUpperCase(java.util.Locale.ROOT));
        } catch (RuntimeException ignored) {
            if (body != null && !body.isBlank()) message = message + ": " + body.strip();
            for (ErrorCode c : ErrorCode.values()) {
                if (c.http() == status) { code = c; break; }
            }
        }
        return new DroverException(code, message);
    }

    /** Builds {@code ?a=1&b=2} from the non-null entries, URL-encoded. */
    public static String query(Map<String, ?> params) {
        StringJoiner j = new StringJoiner("&", "?", "");
        j.setEmptyValue("");
        params.forEach((k, v) -> {
            if (v != null) j.add(enc(k) + "=" + enc(String.valueOf(v)));
        });
        return j.toString();
    }

    public static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }
}

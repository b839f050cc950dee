package io.drover.shared.client;

import com.fasterxml.jackson.databind.JsonNode;
import io.drover.shared.domain.DroverException;
import io.drover.shared.domain.ErrorCode;
import io.drover.shared.json.Json;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.StringJoiner;

/**
 * Thin JSON-over-HTTP client for the controller's {@code /api/v1}, shared by the agent and the CLI.
 * Errors come back as {@link DroverException} carrying the server's code and message, so callers
 * print what the server said instead of a stack trace. Given several controller URLs it talks to
 * one at a time and fails over to the next when a node is down ({@link ControllerNodes}).
 */
public final class ApiClient {
    private final ControllerNodes nodes;
    private final HttpClient http;
    private final String token;
    private final Map<String, String> headers;
    /** Every request of this client may be sent again to another node (see {@link #idempotent()}). */
    private final boolean resendAll;

    /**
     * @param baseUrl controller URL such as {@code http://127.0.0.1:8080}, or several separated by
     *                commas: the client uses one at a time and fails over ({@link ControllerNodes})
     * @param token   bearer token sent as {@code Authorization}, or null
     */
    public ApiClient(String baseUrl, String token) {
        this(parse(baseUrl), token);
    }

    /** A client over nodes shared with other clients (one current node for all of them). */
    public ApiClient(ControllerNodes nodes, String token) {
        this.nodes = nodes;
        this.token = token;
        this.http = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(5))
                .build();
        this.headers = Map.of();
        this.resendAll = false;
    }

    private ApiClient(ApiClient from, Map<String, String> headers, boolean resendAll) {
        this.nodes = from.nodes;
        this.token = from.token;
        this.http = from.http;
        this.headers = Map.copyOf(headers);
        this.resendAll = resendAll;
    }

    private static ControllerNodes parse(String urls) {
        try {
            return ControllerNodes.parse(urls);
        } catch (IllegalArgumentException e) {
            throw new DroverException(ErrorCode.BAD_REQUEST, e.getMessage());
        }
    }

    /**
     * A client that also sends {@code name: value} on every request (e.g. a session cookie and
     * {@code X-CSRF-Token}, or an agent's {@code X-Drover-Lease}); shares the connection pool.
     */
    public ApiClient withHeader(String name, String value) {
        Map<String, String> h = new java.util.HashMap<>(headers);
        h.put(name, value);
        return new ApiClient(this, h, resendAll);
    }

    /**
     * The same client for requests that are idempotent by design (heartbeats, lease-fenced
     * writes, numbered log batches): a {@code POST} or {@code PATCH} whose node died before it
     * answered is sent again to the next node. Without this only requests that never reached a
     * node, and {@code GET}/{@code PUT}/{@code DELETE}, are.
     */
    public ApiClient idempotent() {
        return resendAll ? this : new ApiClient(this, headers, true);
    }

    /** The controller requests go to now. */
    public URI baseUri() {
        return nodes.current();
    }

    /** Every controller this client may use, and the current one. */
    public ControllerNodes nodes() {
        return nodes;
    }

    /** {@code GET} returning JSON. */
    public JsonNode get(String path) {
        return send(request(path, Duration.ofSeconds(30)).GET(), path).orElse(null);
    }

    /** {@code GET} with a longer timeout for long-polls ({@code wait} seconds on the server). */
    public Optional<JsonNode> getLong(String path, Duration timeout) {
        return send(request(path, timeout).GET(), path);
    }

    /** {@code POST} a JSON body; empty when the server answered 204. */
    public Optional<JsonNode> post(String path, Object body) {
        return post(path, body, Duration.ofSeconds(30));
    }

    public Optional<JsonNode> post(String path, Object body, Duration timeout) {
        String json = body == null ? "{}" : (body instanceof String s ? s : Json.write(body));
        return send(request(path, timeout)
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(json)), path);
    }

    public Optional<JsonNode> put(String path, Object body) {
        String json = body == null ? "{}" : Json.write(body);
        return send(request(path, Duration.ofSeconds(30))
                .header("Content-Type", "application/json")
                .PUT(HttpRequest.BodyPublishers.ofString(json)), path);
    }

    public Optional<JsonNode> patch(String path, Object body) {
        String json = body == null ? "{}" : Json.write(body);
        return send(request(path, Duration.ofSeconds(30))
                .header("Content-Type", "application/json")
                .method("PATCH", HttpRequest.BodyPublishers.ofString(json)), path);
    }

    public Optional<JsonNode> delete(String path) {
        return send(request(path, Duration.ofSeconds(30)).DELETE(), path);
    }

    /** Streams a file as the body of a {@code PUT} (artifact upload). */
    public Optional<JsonNode> putFile(String path, Path file, String contentType) {
        try {
            return send(request(path, Duration.ofMinutes(30))
                    .header("Content-Type", contentType == null ? "application/octet-stream" : contentType)
                    .PUT(HttpRequest.BodyPublishers.ofFile(file)), path);
        } catch (java.io.FileNotFoundException e) {
            throw new DroverException(ErrorCode.BAD_REQUEST, "file not found: " + file);
        }
    }

    /** Streams a response body (artifact download); the caller closes the stream. */
    public InputStream download(String path) {
        HttpRequest.Builder req = request(path, Duration.ofMinutes(30)).GET();
        return call(true, node -> {
            try {
                HttpResponse<InputStream> r = http.send(req.uri(resolve(node, path)).build(), HttpResponse.BodyHandlers.ofInputStream());
                if (r.statusCode() >= 300) {
                    String body;
                    try (InputStream in = r.body()) {
                        body = new String(in.readAllBytes(), StandardCharsets.UTF_8);
                    }
                    DroverException e = error(r.statusCode(), body);
                    if (NodeFailure.nodeDownStatus(r.statusCode())) throw NodeFailure.status(r.statusCode(), e.code(), e.getMessage());
                    throw e;
                }
                return r.body();
            } catch (IOException e) {
                throw NodeFailure.of(e);
            }
        });
    }

    /** A request for {@code path} on the current node; {@link #send} points it at the node it tries. */
    private HttpRequest.Builder request(String path, Duration timeout) {
        HttpRequest.Builder b = HttpRequest.newBuilder(resolve(nodes.current(), path))
                .timeout(timeout)
                .header("Accept", "application/json");
        if (token != null && !token.isEmpty()) b.header("Authorization", "Bearer " + token);
        headers.forEach(b::header);
        return b;
    }

    private static URI resolve(URI node, String path) {
        return URI.create(node + path);
    }

    private Optional<JsonNode> send(HttpRequest.Builder req, String path) {
        HttpRequest probe = req.build();
        // GET, PUT and DELETE are idempotent in HTTP; a POST or PATCH only where the caller says so
        boolean resendable = resendAll || switch (probe.method()) {
            case "GET", "PUT", "DELETE" -> true;
            default -> false;
        };
        return call(resendable, node -> {
            try {
                HttpResponse<String> r = http.send(req.uri(resolve(node, path)).build(), HttpResponse.BodyHandlers.ofString());
                if (r.statusCode() >= 300) {
                    DroverException e = error(r.statusCode(), r.body());
                    if (NodeFailure.nodeDownStatus(r.statusCode())) throw NodeFailure.status(r.statusCode(), e.code(), e.getMessage());
                    throw e;
                }
                if (r.statusCode() == 204 || r.body() == null || r.body().isEmpty()) return Optional.<JsonNode>empty();
                return Optional.of(Json.parse(r.body()));
            } catch (IOException e) {
                throw NodeFailure.of(e);
            }
        });
    }

    private <T> T call(boolean resendable, ControllerNodes.Attempt<T> attempt) {
        try {
            return nodes.call(resendable, attempt);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new DroverException(ErrorCode.UNAVAILABLE, "interrupted");
        }
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

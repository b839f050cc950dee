package io.drover.controller.load;

import com.fasterxml.jackson.databind.JsonNode;
import io.drover.shared.json.Json;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One asynchronous HTTP client shared by every simulated agent: a handful of threads carry all
 * exchanges, so 200 agents long-polling at once hold 200 connections but no thread each.
 */
final class LoadHttp implements AutoCloseable {
    static final String LEASE_HEADER = "X-Drover-Lease";

    /** A response: status and parsed JSON body (null for an empty or non-JSON body). */
    record Res(int status, JsonNode json, String retryAfter) {
        boolean ok() {
            return status / 100 == 2;
        }

        /** 429 (rate limit), 503 (store unavailable) and 502/504: ask again later. */
        boolean retryable() {
            return status == 429 || status == 502 || status == 503 || status == 504;
        }

        String error() {
            return json == null ? "HTTP " + status : "HTTP " + status + " " + json.path("error").path("code").asText("")
                    + ": " + json.path("error").path("message").asText("");
        }
    }

    private final ExecutorService pool;
    private final HttpClient http;

    LoadHttp(int threads) {
        AtomicInteger n = new AtomicInteger();
        pool = Executors.newFixedThreadPool(threads, r -> {
            Thread t = new Thread(r, "load-http-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).executor(pool)
                .connectTimeout(Duration.ofSeconds(5)).build();
    }

    /** POST JSON with a bearer key and, for task writes, the lease token. */
    CompletableFuture<Res> post(String url, String key, String leaseToken, Object body, Duration timeout) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url)).timeout(timeout)
                .header("Content-Type", "application/json").header("Accept", "application/json")
                .header("Authorization", "Bearer " + key)
                .POST(HttpRequest.BodyPublishers.ofString(Json.write(body)));
        if (leaseToken != null) b.header(LEASE_HEADER, leaseToken);
        return send(b.build());
    }

    CompletableFuture<Res> get(String url, String key, Duration timeout) {
        return send(HttpRequest.newBuilder(URI.create(url)).timeout(timeout)
                .header("Accept", "application/json").header("Authorization", "Bearer " + key).GET().build());
    }

    /** GET a text body (e.g. /metrics). */
    CompletableFuture<String> getText(String url, String key, Duration timeout) {
        return http.sendAsync(HttpRequest.newBuilder(URI.create(url)).timeout(timeout).header("Authorization", "Bearer " + key).GET().build(),
                HttpResponse.BodyHandlers.ofString()).thenApply(HttpResponse::body);
    }

    private CompletableFuture<Res> send(HttpRequest req) {
        return http.sendAsync(req, HttpResponse.BodyHandlers.ofString()).thenApply(r -> {
            JsonNode j = null;
            String body = r.body();
            if (body != null && !body.isBlank()) {
                try {
                    j = Json.parse(body);
                } catch (RuntimeException notJson) {
                    // keep null: the status says enough
                }
            }
            return new Res(r.statusCode(), j, r.headers().firstValue("Retry-After").orElse(null));
        });
    }

    @Override
    public void close() {
        pool.shutdownNow();
    }
}

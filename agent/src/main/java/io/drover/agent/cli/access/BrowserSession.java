package io.drover.agent.cli.access;

import com.fasterxml.jackson.databind.JsonNode;
import io.drover.agent.cli.ClientCommand;
import io.drover.shared.client.ApiClient;
import io.drover.shared.client.ControllerNodes;
import io.drover.shared.client.NodeFailure;
import io.drover.shared.domain.DroverException;
import io.drover.shared.domain.ErrorCode;
import io.drover.shared.json.Json;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;

/**
 * A short-lived session from {@code POST /auth/login} (username + password), used by
 * {@code drover login} only to create the API key the CLI keeps; the password is never stored.
 * The session cookie and the CSRF token go with every call it makes, as a browser's would.
 */
record BrowserSession(ApiClient api, JsonNode user) {
    static final String COOKIE = "drover_session";

    /** Logs in; a wrong user name or password is an error naming what to check. */
    static BrowserSession login(String baseUrl, String username, String password) {
        HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(5)).build();
        ControllerNodes nodes;
        try {
            nodes = ControllerNodes.parse(baseUrl);
        } catch (IllegalArgumentException e) {
            throw new DroverException(ErrorCode.BAD_REQUEST, e.getMessage());
        }
        String json = Json.write(Map.of("username", username, "password", password));
        HttpResponse<String> r;
        try {
            // a login answered by no one may be sent to the next controller: an unused session just expires
            r = nodes.call(true, node -> {
                HttpRequest req = HttpRequest.newBuilder(URI.create(node + ClientCommand.V1 + "/auth/login"))
                        .timeout(Duration.ofSeconds(30))
                        .header("Content-Type", "application/json").header("Accept", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString(json))
                        .build();
                try {
                    HttpResponse<String> resp = http.send(req, HttpResponse.BodyHandlers.ofString());
                    if (NodeFailure.nodeDownStatus(resp.statusCode())) {
                        throw NodeFailure.status(resp.statusCode(), code(resp.statusCode()), message(resp));
                    }
                    return resp;
                } catch (IOException e) {
                    throw NodeFailure.of(e);
                }
            });
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new DroverException(ErrorCode.UNAVAILABLE, "interrupted");
        }
        if (r.statusCode() == 401) {
            throw new DroverException(ErrorCode.BAD_REQUEST, "login failed: " + message(r)
                    + " (check the user name and password; an admin can reset it with 'drover users set USER --password-stdin')");
        }
        if (r.statusCode() != 200) {
            throw new DroverException(code(r.statusCode()), "login failed: " + message(r)
                    + r.headers().firstValue("Retry-After").map(s -> " (try again in " + s + " s)").orElse(""));
        }
        String cookie = r.headers().allValues("Set-Cookie").stream()
                .map(c -> c.split(";", 2)[0].strip())
                .filter(c -> c.startsWith(COOKIE + "="))
                .findFirst()
                .orElseThrow(() -> new DroverException(ErrorCode.INTERNAL,
                        "the controller accepted the login but set no " + COOKIE + " cookie: is it a Drover controller of this version?"));
        JsonNode body = Json.parse(r.body());
        ApiClient api = new ApiClient(nodes, null)
                .withHeader("Cookie", cookie)
                .withHeader("X-CSRF-Token", body.path("csrfToken").asText(""));
        return new BrowserSession(api, body.path("user"));
    }

    /** Ends the session; the CLI keeps only its API key. Best effort: it expires by itself anyway. */
    void logout() {
        try {
            api.post(ClientCommand.V1 + "/auth/logout", null);
        } catch (DroverException ignored) {
            // an idle session expires on the server
        }
    }

    private static String message(HttpResponse<String> r) {
        try {
            String m = Json.parse(r.body()).path("error").path("message").asText("");
            if (!m.isBlank()) return m;
        } catch (RuntimeException ignored) {
            // not JSON: fall through
        }
        return "HTTP " + r.statusCode();
    }

    private static ErrorCode code(int status) {
        for (ErrorCode c : ErrorCode.values()) {
            if (c.http() == status && c != ErrorCode.STALE_LEASE) return c;
        }
        return status >= 500 ? ErrorCode.INTERNAL : ErrorCode.BAD_REQUEST;
    }
}

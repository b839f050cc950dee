package io.drover.agent.daemon;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.drover.shared.client.ApiClient;
import io.drover.shared.client.ControllerNodes;
import io.drover.shared.client.NodeFailure;
import io.drover.shared.domain.DroverException;
import io.drover.shared.domain.ErrorCode;
import io.drover.shared.json.Json;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;

/**
 * The claim long-poll. Separate from {@link ApiClient} because a stopping agent must be able to
 * cancel a poll in flight (interrupting the waiting thread cancels the exchange), or it could claim
 * a task after it stopped.
 *
 * <p>It shares the agent's {@link ControllerNodes}: a poll whose controller dies is re-issued on
 * the next one at once. Claims may be re-sent: a claim the dead node granted but never answered
 * holds a lease this agent never heartbeats, so it expires and the task is requeued, fenced by
 * its epoch; it is never run twice at once.
 */
final class ClaimClient {
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();
    private final ControllerNodes nodes;
    private final String path;
    private final String token;

    ClaimClient(ControllerNodes nodes, String worker, String token) {
        this.nodes = nodes;
        this.path = "/api/v1/workers/" + ApiClient.enc(worker) + "/claim";
        this.token = token;
    }

    /** A claim ({@code {"task","lease"}}), or empty when nothing came within {@code waitSeconds}. */
    Optional<JsonNode> claim(List<String> queues, boolean fairness, int waitSeconds) throws InterruptedException {
        return claim(queues, fairness, waitSeconds, ClaimFit.CPU_ONLY);
    }

    /** Same, for a task that fits the agent's free GPUs ({@code fit}). */
    Optional<JsonNode> claim(List<String> queues, boolean fairness, int waitSeconds, ClaimFit fit) throws InterruptedException {
        ObjectNode body = Json.object();
        body.putPOJO("queues", queues);
        body.put("fairness", fairness);
        body.put("wait", waitSeconds);
        body.put("gpus", fit.maxGpus());
        if (fit.minGpus() > 0) body.put("minGpus", fit.minGpus());
        String json = Json.write(body);
        return nodes.call(true, node -> claimOn(node, json, waitSeconds));
    }

    private Optional<JsonNode> claimOn(URI node, String json, int waitSeconds) throws NodeFailure, InterruptedException {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(node + path)).timeout(Duration.ofSeconds(waitSeconds + 15L))
                .header("Content-Type", "application/json").header("Accept", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(json));
        if (token != null && !token.isEmpty()) b.header("Authorization", "Bearer " + token);
        CompletableFuture<HttpResponse<String>> f = http.sendAsync(b.build(), HttpResponse.BodyHandlers.ofString());
        HttpResponse<String> r;
        try {
            r = f.get();
        } catch (InterruptedException e) {
            f.cancel(true);
            throw e;
        } catch (ExecutionException e) {
            if (e.getCause() instanceof java.io.IOException io) throw NodeFailure.of(io);
            throw new DroverException(ErrorCode.UNAVAILABLE, "cannot reach the controller at " + node + ": " + e.getCause());
        }
        if (r.statusCode() == 204) return Optional.empty();
        if (r.statusCode() >= 300) {
            String msg = "HTTP " + r.statusCode();
            ErrorCode code = r.statusCode() == 404 ? ErrorCode.NOT_FOUND : r.statusCode() >= 500 ? ErrorCode.UNAVAILABLE : ErrorCode.BAD_REQUEST;
            try {
                JsonNode e = Json.parse(r.body()).path("error");
                msg = e.path("message").asText(msg);
            } catch (RuntimeException ignored) {
                // not our error body
            }
            if (NodeFailure.nodeDownStatus(r.statusCode())) throw NodeFailure.status(r.statusCode(), code, msg);
            throw new DroverException(code, msg);
        }
        return Optional.of(Json.parse(r.body()));
    }
}

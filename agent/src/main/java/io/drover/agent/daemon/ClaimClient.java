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
 * The claim long-poll. Separate from {@link ApiClient} because a poll in flight must be
 * abandonable ({@link ClaimPoll}): when a finishing task frees room, or the agent stops. On
 * {@code http://} controllers the exchange is {@link PlainClaimExchange}, which abandons without
 * losing a task the controller claimed meanwhile; on {@code https://} it is {@link HttpClient}'s,
 * cancelled (an answer already on the wire at that instant is lost to the agent, and its task is
 * requeued when the lease expires).
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
    private final boolean plainExchange;

    ClaimClient(ControllerNodes nodes, String worker, String token) {
        this(nodes, worker, token, true);
    }

    /** @param plainExchange use {@link PlainClaimExchange} for {@code http://} nodes (false: tests of the https path) */
    ClaimClient(ControllerNodes nodes, String worker, String token, boolean plainExchange) {
        this.plainExchange = plainExchange;
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
        return claim(queues, fairness, waitSeconds, new ClaimPoll(fit));
    }

    /**
     * Same, as {@code poll} (its fit), which another thread may abandon: then empty unless the
     * controller had already answered with a task (returned: the caller must run or release it).
     */
    Optional<JsonNode> claim(List<String> queues, boolean fairness, int waitSeconds, ClaimPoll poll) throws InterruptedException {
        ClaimFit fit = poll.fit();
        ObjectNode body = Json.object();
        body.putPOJO("queues", queues);
        body.put("fairness", fairness);
        body.put("wait", waitSeconds);
        body.put("gpus", fit.maxGpus());
        if (fit.minGpus() > 0) body.put("minGpus", fit.minGpus());
        String json = Json.write(body);
        return nodes.call(true, node -> {
            if (poll.abandoned()) return Optional.empty();
            return plainExchange && "http".equals(node.getScheme()) ? claimPlain(node, json, waitSeconds, poll) : claimOn(node, json, waitSeconds, poll);
        });
    }

    private Optional<JsonNode> claimPlain(URI node, String json, int waitSeconds, ClaimPoll poll) throws NodeFailure, InterruptedException {
        PlainClaimExchange.Answer a;
        try {
            a = PlainClaimExchange.post(node, path, json, token, Duration.ofSeconds(waitSeconds + 15L), poll);
        } catch (java.io.IOException e) {
            throw NodeFailure.of(e);
        }
        if (a.abandoned()) return Optional.empty();
        return answer(a.status(), a.body());
    }

    private Optional<JsonNode> claimOn(URI node, String json, int waitSeconds, ClaimPoll poll) throws NodeFailure, InterruptedException {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(node + path)).timeout(Duration.ofSeconds(waitSeconds + 15L))
                .header("Content-Type", "application/json").header("Accept", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(json));
        if (token != null && !token.isEmpty()) b.header("Authorization", "Bearer " + token);
        CompletableFuture<HttpResponse<String>> f = http.sendAsync(b.build(), HttpResponse.BodyHandlers.ofString());
        poll.onAbandon(() -> f.cancel(true));
        HttpResponse<String> r;
        try {
            r = f.get();
        } catch (InterruptedException e) {
            f.cancel(true);
            throw e;
        } catch (java.util.concurrent.CancellationException e) {
            return Optional.empty(); // abandoned
        } catch (ExecutionException e) {
            // JDK 17 completes a cancelled exchange with CancellationException("Request cancelled")
            // as the cause, having closed its connection: the controller sees the hang-up
            if (poll.abandoned()) return Optional.empty();
            if (e.getCause() instanceof java.io.IOException io) throw NodeFailure.of(io);
            throw new DroverException(ErrorCode.UNAVAILABLE, "cannot reach the controller at " + node + ": " + e.getCause());
        }
        return answer(r.statusCode(), r.body());
    }

    private static Optional<JsonNode> answer(int status, String body) throws NodeFailure {
        if (status == 204) return Optional.empty();
        if (status >= 300) {
            String msg = "HTTP " + status;
            ErrorCode code = status == 404 ? ErrorCode.NOT_FOUND : status >= 500 ? ErrorCode.UNAVAILABLE : ErrorCode.BAD_REQUEST;
            try {
                JsonNode e = Json.parse(body).path("error");
                msg = e.path("message").asText(msg);
            } catch (RuntimeException ignored) {
                // not our error body
            }
            if (NodeFailure.nodeDownStatus(status)) throw NodeFailure.status(status, code, msg);
            throw new DroverException(code, msg);
        }
        return Optional.of(Json.parse(body));
    }
}

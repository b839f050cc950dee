package io.drover.agent.daemon;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.drover.agent.capture.LogLine;
import io.drover.shared.client.ApiClient;
import io.drover.shared.domain.DroverException;
import io.drover.shared.domain.ErrorCode;
import io.drover.shared.json.Json;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * The writes an agent makes on a task it holds, each carrying the lease epoch. A 409 from the
 * controller becomes {@link LeaseLostException}; the final writes retry transient failures for a
 * while, since losing them would leave the task to the lease watchdog.
 */
final class LeaseApi {
    private final ApiClient api;
    /**
     * For the writes that are idempotent by design, sent again to the next controller when the
     * current one dies mid-request: numbered log and scalar batches, report fields, tags, files
     * that replace, and finish/release (fenced by the epoch: a repeat after the first applied is
     * refused as stale, the task stays as the first left it).
     */
    private final ApiClient resendable;
    private final String taskId;
    private final long epoch;
    private final String base;

    /** Header proving the lease to the controller (docs/API.md, "Lease token"). */
    static final String LEASE_HEADER = "X-Drover-Lease";

    /** @param token the lease token from the claim; every call sends it, so only this holder may write */
    LeaseApi(ApiClient api, String taskId, long epoch, String token) {
        this.api = token == null || token.isEmpty() ? api : api.withHeader(LEASE_HEADER, token);
        this.resendable = this.api.idempotent();
        this.taskId = taskId;
        this.epoch = epoch;
        this.base = "/api/v1/tasks/" + taskId;
    }

    String taskId() {
        return taskId;
    }

    long epoch() {
        return epoch;
    }

    void logs(long batch, List<LogLine> lines) {
        ObjectNode body = Json.object();
        body.put("epoch", epoch);
        body.put("batch", batch);
        ArrayNode arr = body.putArray("lines");
        for (LogLine l : lines) {
            arr.addObject().put("ts", l.ts().toString()).put("stream", l.stream()).put("text", l.text());
        }
        counted("logs", () -> resendable.post(base + "/logs", body));
        io.drover.agent.metrics.AgentMetrics.get().logsShipped(lines.stream().map(LogLine::text).toList());
    }

    void report(ObjectNode fields) {
        fields.put("epoch", epoch);
        call(() -> resendable.post(base + "/report", fields));
    }

    /** One batch of scalar points from the Python client ({@code {"points":[…]}}); idempotent on {@code batch}. */
    void scalars(long batch, ObjectNode body) {
        body.put("epoch", epoch);
        body.put("batch", batch);
        counted("scalars", () -> resendable.post(base + "/scalars", body));
    }

    /** One plot or text report from the Python client; {@code kind} is {@code plots} or {@code texts}. Not idempotent. */
    void record(String kind, ObjectNode body) {
        body.put("epoch", epoch);
        call(() -> api.post(base + "/" + kind, body));
    }

    /**
     * One debug image from the Python client, PUT raw to the lease route. A retry is harmless: an
     * image of the same (metric, variant, iter) replaces the earlier one.
     */
    void image(String metric, String variant, long iter, Path file, String contentType) {
        java.util.Map<String, Object> q = new java.util.LinkedHashMap<>();
        q.put("epoch", epoch);
        q.put("metric", metric);
        q.put("variant", variant);
        q.put("iter", iter);
        String path = base + "/images" + ApiClient.query(q);
        call(() -> api.putFile(path, file, contentType));
    }

    /** Adds tags to the task ({@code ::drover tag} lines). */
    void tags(List<String> tags) {
        ObjectNode body = Json.object();
        body.put("epoch", epoch);
        ArrayNode arr = body.putArray("add");
        tags.forEach(arr::add);
        call(() -> resendable.post(base + "/tags", body));
    }

    JsonNode diff() {
        return call(() -> api.get(base + "/diff"));
    }

    void artifact(String name, Path file, String contentType) {
        String path = base + "/artifacts/" + ApiClient.enc(name).replace("+", "%20") + ApiClient.query(Map.of("epoch", epoch));
        call(() -> api.putFile(path, file, contentType));
    }

    void finish(ObjectNode fields, Duration retryFor) throws InterruptedException {
        fields.put("epoch", epoch);
        retrying(() -> resendable.post(base + "/finish", fields), retryFor);
        io.drover.agent.metrics.AgentMetrics.get().taskEnded(fields.path("status").asText());
    }

    void release(String reason, Duration retryFor) throws InterruptedException {
        ObjectNode body = Json.object().put("epoch", epoch).put("reason", reason);
        retrying(() -> resendable.post(base + "/release", body), retryFor);
        io.drover.agent.metrics.AgentMetrics.get().taskEnded("released");
    }

    private void retrying(java.util.function.Supplier<Object> write, Duration retryFor) throws InterruptedException {
        long deadline = System.nanoTime() + retryFor.toNanos();
        Backoff backoff = new Backoff(Duration.ofMillis(200), Duration.ofSeconds(5));
        while (true) {
            try {
                call(write);
                return;
            } catch (DroverException e) {
                boolean transientError = e.code() == ErrorCode.UNAVAILABLE || e.code() == ErrorCode.INTERNAL
                        || e.code() == ErrorCode.TOO_MANY_REQUESTS;
                if (!transientError || System.nanoTime() > deadline) throw e;
                Thread.sleep(backoff.next().toMillis());
            }
        }
    }

    /** A log or scalar delivery: a try the controller did not accept counts in the agent's metrics. */
    private void counted(String kind, java.util.function.Supplier<Object> write) {
        try {
            call(write);
        } catch (RuntimeException e) {
            io.drover.agent.metrics.AgentMetrics.get().deliveryFailed(kind);
            throw e;
        }
    }

    private <T> T call(java.util.function.Supplier<T> write) {
        try {
            return write.get();
        } catch (DroverException e) {
            // 403 with a valid worker key: the lease token is no longer the task's (taken over)
            if (e.code() == ErrorCode.STALE_LEASE || e.code() == ErrorCode.CONFLICT || e.code() == ErrorCode.FORBIDDEN) {
                throw new LeaseLostException(e.getMessage());
            }
            throw e;
        }
    }
}

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
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The writes an agent makes on a task it holds, each carrying the lease epoch. A 409 from the
 * controller becomes {@link LeaseLostException}; the final writes retry transient failures for a
 * while, since losing them would leave the task to the lease watchdog.
 */
final class LeaseApi {
    private static final Logger LOG = LoggerFactory.getLogger(LeaseApi.class);
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

    /**
     * The final status, retried until the controller takes it: a store or controller outage may
     * last minutes, and a task that finished must not be run again. Stops early when the lease is
     * lost (throws {@link LeaseLostException}) or {@code giveUp} says so (returns false).
     */
    boolean finishDelivered(ObjectNode fields, BooleanSupplier giveUp) throws InterruptedException {
        fields.put("epoch", epoch);
        boolean done = retrying(() -> resendable.post(base + "/finish", fields), null, giveUp);
        if (done) io.drover.agent.metrics.AgentMetrics.get().taskEnded(fields.path("status").asText());
        return done;
    }

    /** A report ({@link #report}) retried like {@link #finishDelivered}; false when {@code giveUp} said so first. */
    boolean reportDelivered(ObjectNode fields, BooleanSupplier giveUp) throws InterruptedException {
        fields.put("epoch", epoch);
        return retrying(() -> resendable.post(base + "/report", fields), null, giveUp);
    }

    void release(String reason, Duration retryFor) throws InterruptedException {
        ObjectNode body = Json.object().put("epoch", epoch).put("reason", reason);
        retrying(() -> resendable.post(base + "/release", body), retryFor);
        io.drover.agent.metrics.AgentMetrics.get().taskEnded("released");
    }

    private void retrying(java.util.function.Supplier<Object> write, Duration retryFor) throws InterruptedException {
        retrying(write, retryFor, () -> false);
    }

    /** Retries transient failures (503 store or controller unavailable, unreachable, 500, 429) until {@code retryFor} (null: no limit) or {@code giveUp}. */
    private boolean retrying(java.util.function.Supplier<Object> write, Duration retryFor, BooleanSupplier giveUp)
            throws InterruptedException {
        long start = System.nanoTime();
        long deadline = retryFor == null ? Long.MAX_VALUE : start + retryFor.toNanos();
        Backoff backoff = new Backoff(Duration.ofMillis(200), Duration.ofSeconds(5));
        long nextSay = start + TimeUnit.SECONDS.toNanos(30);
        while (true) {
            try {
                call(write);
                return true;
            } catch (DroverException e) {
                if (!isTransient(e) || (retryFor != null && System.nanoTime() - deadline > 0)) throw e;
                if (giveUp.getAsBoolean()) return false;
                if (System.nanoTime() - nextSay > 0) {
                    LOG.warn("task {}: the controller does not take the write yet ({}); retrying until it does", taskId, e.getMessage());
                    nextSay = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
                }
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

    /** Worth retrying: the controller or its store is unavailable or unreachable (503), failed (500), or rate-limits (429). */
    static boolean isTransient(DroverException e) {
        return e.code() == ErrorCode.UNAVAILABLE || e.code() == ErrorCode.INTERNAL || e.code() == ErrorCode.TOO_MANY_REQUESTS;
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

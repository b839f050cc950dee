package io.drover.controller.load;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.drover.shared.json.Json;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * One simulated agent speaking the real agent protocol (docs/API.md "Workers and the agent
 * protocol") without a thread of its own: register, claim long-poll, "run" (a timer), finish with
 * the lease epoch and token, heartbeat the held task. Every step is a callback on the shared
 * {@link LoadHttp} client; the state is the one task it holds.
 */
final class SimAgent {
    /** Pause after a refused or failed request before asking again. */
    private static final long RETRY_MILLIS = 200;

    private final String name;
    private final String base;
    private final String key;
    private final LoadPlan plan;
    private final Ledger ledger;
    private final LoadHttp http;
    private final ScheduledExecutorService timers;
    private final ObjectNode claimBody;
    /** The task held now → its lease epoch (heartbeats carry it). */
    private final Map<String, Long> held = new ConcurrentHashMap<>();
    private final AtomicBoolean stopped = new AtomicBoolean();
    private final AtomicBoolean heartbeatInFlight = new AtomicBoolean();
    private volatile CompletableFuture<LoadHttp.Res> claimInFlight;
    private volatile ScheduledFuture<?> heartbeats;

    /** @param base the controller's {@code http://host:port/api/v1} */
    SimAgent(String name, String base, String key, LoadPlan plan, Ledger ledger, LoadHttp http, ScheduledExecutorService timers) {
        this.name = name;
        this.base = base;
        this.key = key;
        this.plan = plan;
        this.ledger = ledger;
        this.http = http;
        this.timers = timers;
        claimBody = Json.object();
        claimBody.putPOJO("queues", plan.queueNames());
        // round-robin over the queues, so each queue is served and priorities order the work within one
        claimBody.put("fairness", true);
        claimBody.put("wait", plan.claimWaitSeconds());
    }

    /** Registers the worker (idempotent on name); completes when the controller answered 200. */
    CompletableFuture<Void> register() {
        ObjectNode b = Json.object().put("name", name).put("hostname", "load-sim").put("pid", 1).put("version", "load");
        b.putPOJO("queues", plan.queueNames());
        return http.post(base + "/workers", key, null, b, Duration.ofSeconds(30)).thenAccept(r -> {
            if (!r.ok()) throw new IllegalStateException("register " + name + ": " + r.error());
        });
    }

    /** Starts the claim loop and the heartbeat timer. */
    void start() {
        long period = plan.heartbeat().toMillis();
        // spread the agents' heartbeats over the period instead of all at once
        heartbeats = timers.scheduleAtFixedRate(this::heartbeat, (long) (Math.random() * period), period, TimeUnit.MILLISECONDS);
        claim();
    }

    /** Stops asking for work and cancels a long-poll in flight; a held task is not finished any more. */
    void stop() {
        stopped.set(true);
        ScheduledFuture<?> h = heartbeats;
        if (h != null) h.cancel(false);
        CompletableFuture<LoadHttp.Res> c = claimInFlight;
        if (c != null) c.cancel(true);
    }

    private void claim() {
        if (stopped.get()) return;
        long t0 = System.nanoTime();
        CompletableFuture<LoadHttp.Res> f = http.post(base + "/workers/" + name + "/claim", key, null, claimBody,
                Duration.ofSeconds(plan.claimWaitSeconds() + 60L));
        claimInFlight = f;
        f.whenComplete((r, e) -> {
            if (stopped.get()) return;
            if (e != null) {
                ledger.retried();
                ledger.claimUnanswered();
                later(this::claim);
            } else if (r.status() == 204) {
                claim(); // nothing within the wait: poll again
            } else if (r.status() == 200) {
                claimed(r.json(), System.nanoTime() - t0);
            } else if (r.retryable()) {
                ledger.retried();
                if (r.status() >= 500) ledger.claimUnanswered();
                later(this::claim);
            } else {
                ledger.error(name + " claim: " + r.error());
                later(this::claim);
            }
        });
    }

    private void claimed(JsonNode c, long latencyNanos) {
        JsonNode task = c.path("task");
        String id = task.path("id").asText();
        long epoch = c.path("lease").path("epoch").asLong();
        String token = c.path("lease").path("token").asText();
        String queuedAt = task.path("execution").path("queuedAt").asText(null);
        long wait = queuedAt == null ? -1 : System.currentTimeMillis() - Instant.parse(queuedAt).toEpochMilli();
        ledger.claimed(id, latencyNanos, task.path("priority").asInt(), wait);
        held.put(id, epoch);
        // "run" the task: a timer, not a sleeping thread
        if (plan.runMillis() <= 0) finish(id, epoch, token, false);
        else timers.schedule(() -> finish(id, epoch, token, false), plan.runMillis(), TimeUnit.MILLISECONDS);
    }

    /** @param resent whether an earlier finish of this run got no answer (it may have landed) */
    private void finish(String id, long epoch, String token, boolean resent) {
        ObjectNode b = Json.object().put("epoch", epoch).put("status", "completed").put("exitCode", 0);
        http.post(base + "/tasks/" + id + "/finish", key, token, b, Duration.ofSeconds(60)).whenComplete((r, e) -> {
            if (e != null || r.retryable()) {
                // the finish may or may not have landed: send it again (the same epoch; a second success cannot happen)
                ledger.retried();
                later(() -> finish(id, epoch, token, true));
                return;
            }
            held.remove(id);
            String code = r.json() == null ? null : r.json().path("error").path("code").asText(null);
            if (r.ok() || (resent && r.status() == 409 && !"stale_lease".equals(code))) {
                // a resent finish refused as a conflict: the first one landed (the store audit checks it independently)
                ledger.completed(id);
            } else if (r.status() == 409 && "stale_lease".equals(code)) {
                ledger.staleLease(id);
            } else {
                ledger.error(name + " finish " + id + ": " + r.error());
            }
            claim();
        });
    }

    private void heartbeat() {
        if (stopped.get() || !heartbeatInFlight.compareAndSet(false, true)) return;
        ObjectNode b = Json.object();
        b.putObject("stats").put("cpuPercent", 1.0).put("memUsedMb", 100).put("memTotalMb", 1000).put("diskFreeMb", 1000);
        var tasks = b.putArray("tasks");
        held.forEach((id, epoch) -> tasks.addObject().put("taskId", id).put("epoch", epoch));
        http.post(base + "/workers/" + name + "/heartbeat", key, null, b, Duration.ofSeconds(30)).whenComplete((r, e) -> {
            heartbeatInFlight.set(false);
            if (e != null || r.retryable()) {
                if (!stopped.get()) ledger.retried();
                return;
            }
            if (!r.ok()) {
                ledger.error(name + " heartbeat: " + r.error());
                return;
            }
            // "stale" may name a task whose finish is in flight (completed before this heartbeat was read);
            // the finish's answer is what counts: 409 stale_lease there is a lost lease
        });
    }

    private void later(Runnable r) {
        if (!stopped.get()) timers.schedule(r, RETRY_MILLIS, TimeUnit.MILLISECONDS);
    }

    static List<String> names(int n) {
        return java.util.stream.IntStream.range(0, n).mapToObj(i -> String.format("sim-%03d", i)).toList();
    }
}

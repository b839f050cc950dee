package io.drover.controller.load;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.drover.shared.json.Json;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Creates the plan's tasks with {@code POST /tasks} ({@code enqueue: true}) on a few concurrent
 * lanes, lane {@code i} on controller {@code i mod n}; each created id goes to the ledger. The API
 * has no bulk create, so this is how a busy CLI or pipeline would submit.
 */
final class Enqueuer {
    private final LoadPlan plan;
    private final List<String> bases;
    private final String key;
    private final Ledger ledger;
    private final LoadHttp http;
    private final ScheduledExecutorService timers;
    private final AtomicInteger next = new AtomicInteger();
    private final AtomicBoolean stopped = new AtomicBoolean();

    Enqueuer(LoadPlan plan, List<String> bases, String key, Ledger ledger, LoadHttp http, ScheduledExecutorService timers) {
        this.plan = plan;
        this.bases = bases;
        this.key = key;
        this.ledger = ledger;
        this.http = http;
        this.timers = timers;
    }

    /** Completes when every task was created (or exceptionally on the first refused one). */
    CompletableFuture<Void> run() {
        List<CompletableFuture<Void>> lanes = new ArrayList<>();
        for (int l = 0; l < plan.enqueueLanes(); l++) {
            CompletableFuture<Void> done = new CompletableFuture<>();
            lane(bases.get(l % bases.size()), done);
            lanes.add(done);
        }
        return CompletableFuture.allOf(lanes.toArray(CompletableFuture[]::new));
    }

    void stop() {
        stopped.set(true);
    }

    private void lane(String base, CompletableFuture<Void> done) {
        int i = next.getAndIncrement();
        if (i >= plan.tasks() || stopped.get()) {
            done.complete(null);
            return;
        }
        create(base, i, done);
    }

    private void create(String base, int i, CompletableFuture<Void> done) {
        int priority = plan.priorityOf(i);
        ObjectNode t = Json.object().put("name", "load-" + i).put("project", "load").put("queue", plan.queueOf(i))
                .put("priority", priority).put("enqueue", true);
        t.putObject("script").put("repo", "/srv/load/repo").put("entryPoint", "train.py");
        http.post(base + "/tasks", key, null, t, Duration.ofSeconds(60)).whenComplete((r, e) -> {
            if (e != null || r.retryable()) {
                ledger.retried();
                // a create that failed in transport may have landed: the ledger would then miss a task
                // that the store has (counted as "unexpected" by the store audit), never the reverse
                timers.schedule(() -> create(base, i, done), 200, TimeUnit.MILLISECONDS);
            } else if (r.status() != 201) {
                done.completeExceptionally(new IllegalStateException("creating task " + i + ": " + r.error()));
            } else {
                ledger.created(r.json().path("id").asText(), priority);
                lane(base, done);
            }
        });
    }
}

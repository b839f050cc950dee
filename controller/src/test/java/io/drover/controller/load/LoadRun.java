package io.drover.controller.load;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.drover.controller.Controller;
import io.drover.shared.json.Json;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;

/**
 * One load run, start to end: a fresh shared store, {@code n} controllers on it (clustered when
 * more than one), worker keys, the simulated agents split evenly over the controllers, the tasks
 * created while the agents claim, then the wait for every task to complete (bounded by the plan's
 * timeout), and the audit of the store. Everything on loopback; everything closed at the end.
 */
final class LoadRun {
    private LoadRun() {}

    static LoadResult run(String label, LoadPlan plan, int controllers, String backend, Path workDir, Consumer<String> log)
            throws Exception {
        Path dir = Files.createTempDirectory(workDir, label);
        List<Controller> fleet = new ArrayList<>();
        ScheduledExecutorService timers = Executors.newScheduledThreadPool(2, r -> {
            Thread t = new Thread(r, "load-timer");
            t.setDaemon(true);
            return t;
        });
        List<SimAgent> agents = new ArrayList<>();
        Enqueuer enqueuer = null;
        LoadStore store = LoadStore.open(backend, dir);
        LoadHttp http = new LoadHttp(4);
        try {
            fleet.addAll(ControllerFleet.start(controllers, store.uri(), plan, dir));
            List<String> bases = fleet.stream().map(c -> c.baseUrl() + "/api/v1").toList();
            String admin = fleet.get(0).bootstrap().adminKey();
            Ledger ledger = new Ledger(plan.tasks());

            ok(http.post(bases.get(0) + "/projects", admin, null, Json.object().put("name", "load"), Duration.ofSeconds(30)), "create project");
            // one worker key per agent, as each real agent has its own
            List<String> names = SimAgent.names(plan.agents());
            List<CompletableFuture<String>> keys = new ArrayList<>();
            for (String name : names) {
                ObjectNode b = Json.object().put("name", name).put("kind", "worker");
                keys.add(http.post(bases.get(0) + "/keys", admin, null, b, Duration.ofSeconds(30))
                        .thenApply(r -> ok(r, "create worker key").json().path("key").asText()));
            }
            for (int i = 0; i < names.size(); i++) {
                agents.add(new SimAgent(names.get(i), bases.get(i % bases.size()), keys.get(i).get(60, TimeUnit.SECONDS), plan,
                        ledger, http, timers));
            }
            CompletableFuture.allOf(agents.stream().map(SimAgent::register).toArray(CompletableFuture[]::new)).get(60, TimeUnit.SECONDS);
            log.accept(label + ": " + controllers + " controller(s) " + bases + ", " + agents.size() + " agents registered, enqueueing "
                    + plan.tasks() + " tasks");

            long t0 = System.nanoTime();
            agents.forEach(SimAgent::start);
            enqueuer = new Enqueuer(plan, bases, admin, ledger, http, timers);
            CompletableFuture<Void> enqueued = enqueuer.run();
            long[] enqueueEnd = {0};
            enqueued.whenComplete((v, e) -> enqueueEnd[0] = System.nanoTime());
            // a line every 30 s, so a long run shows it is moving
            ScheduledFuture<?> progress = timers.scheduleAtFixedRate(() -> log.accept(String.format(java.util.Locale.ROOT,
                    "%s: %.0f s, %d created, %d completed", label, (System.nanoTime() - t0) / 1e9, ledger.createdCount(),
                    ledger.completedDistinct())), 30, 30, TimeUnit.SECONDS);
            boolean timedOut = false;
            try {
                CompletableFuture.allOf(enqueued, ledger.allDone()).get(plan.timeout().toMillis(), TimeUnit.MILLISECONDS);
            } catch (TimeoutException e) {
                timedOut = true;
                log.accept(label + ": timed out after " + plan.timeout().toSeconds() + " s with " + ledger.completedDistinct() + " of "
                        + plan.tasks() + " completed");
            }
            double seconds = ((timedOut ? System.nanoTime() : ledger.lastCompletionNanos()) - t0) / 1e9;
            double enqueueSeconds = enqueueEnd[0] == 0 ? Double.NaN : (enqueueEnd[0] - t0) / 1e9;
            progress.cancel(false);
            enqueuer.stop();
            agents.forEach(SimAgent::stop);
            StoreAudit audit = StoreAudit.of(store.uri(), ledger.createdIds());
            String metricsFile = System.getProperty("drover.load.metrics");
            if (metricsFile != null) { // the controllers' own view (store command timings, HTTP latencies), for digging
                StringBuilder sb = new StringBuilder();
                for (Controller c : fleet) {
                    sb.append(http.getText(c.baseUrl() + "/metrics", admin, Duration.ofSeconds(30)).get(30, TimeUnit.SECONDS));
                }
                Files.writeString(dir.getParent().resolveSibling(metricsFile + "-" + label + ".txt"), sb);
            }
            return LoadResult.of(label, controllers, plan, ledger, seconds, enqueueSeconds, audit, timedOut);
        } finally {
            if (enqueuer != null) enqueuer.stop();
            agents.forEach(SimAgent::stop);
            timers.shutdownNow();
            // controllers before the store they use, so they do not see it vanish
            for (int i = fleet.size() - 1; i >= 0; i--) fleet.get(i).close();
            http.close();
            store.close();
        }
    }

    private static LoadHttp.Res ok(CompletableFuture<LoadHttp.Res> f, String what) throws Exception {
        return ok(f.get(30, TimeUnit.SECONDS), what);
    }

    private static LoadHttp.Res ok(LoadHttp.Res r, String what) {
        if (!r.ok()) throw new IllegalStateException(what + ": " + r.error());
        return r;
    }
}

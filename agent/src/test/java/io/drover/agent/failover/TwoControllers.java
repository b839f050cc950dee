package io.drover.agent.failover;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import de.bwaldvogel.mongo.MongoServer;
import io.drover.controller.Controller;
import io.drover.controller.auth.Bootstrap;
import io.drover.controller.config.ControllerConfig;
import io.drover.controller.store.CopyOnWriteH2Backend;
import io.drover.shared.client.ApiClient;
import io.drover.shared.json.Json;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.eclipse.jgit.api.Git;
import org.eclipse.jgit.lib.PersonIdent;
import org.h2.mvstore.MVStore;

/**
 * Two plain (not clustered) controllers over one store, a mongo-java-server in this JVM, with a
 * short lease (heartbeat 1 s, lease 4 s) and auth on; a git repository with a task that ticks.
 * What the failover tests of agents and browser sessions share.
 */
final class TwoControllers implements AutoCloseable {
    static final Duration LEASE = Duration.ofSeconds(4);

    /**
     * Prints "tick N" ten times a second until a file named like its argument plus ".stop"
     * appears (then it succeeds), for two minutes at most.
     */
    static final String TICKER = """
            import os, sys, time
            stop = sys.argv[1] + ".stop"
            for i in range(1200):
                if os.path.exists(stop):
                    print("done", flush=True)
                    sys.exit(0)
                print("tick %d" % i, flush=True)
                time.sleep(0.1)
            sys.exit(7)
            """;

    static final Pattern TICK = Pattern.compile("tick (\\d+)");

    final Path tmp;
    final MongoServer store;
    final String storeUri;
    final Controller a;
    Controller b;
    final Bootstrap.Result boot;
    /** The admin's client over both controllers: it fails over too. */
    final ApiClient api;
    final String commit;
    private final Path repo;

    TwoControllers(Path tmp) throws Exception {
        this.tmp = tmp;
        store = new MongoServer(new CopyOnWriteH2Backend(new MVStore.Builder().open()));
        store.bind("127.0.0.1", 0);
        storeUri = "mongodb://127.0.0.1:" + store.getLocalAddress().getPort() + "/drover";
        a = Controller.start(config("a"));
        boot = a.bootstrap(); // the first controller on an empty store creates the admin and the keys
        assertThat(boot).isNotNull();
        b = Controller.start(config("b"));
        api = new ApiClient(a.baseUrl() + "," + b.baseUrl(), boot.adminKey());
        repo = tmp.resolve("repo");
        try (Git git = Git.init().setDirectory(repo.toFile()).setInitialBranch("main").call()) {
            Files.writeString(repo.resolve("ticker.py"), TICKER);
            git.add().addFilepattern(".").call();
            PersonIdent who = new PersonIdent("t", "t@example.com");
            commit = git.commit().setMessage("init").setAuthor(who).setCommitter(who).call().getName();
        }
    }

    private ControllerConfig config(String name) {
        return ControllerConfig.defaults().withPort(0).withDataDir(tmp.resolve("data-" + name)).withMongoUri(storeUri)
                .withHeartbeat(Duration.ofSeconds(1)).withLease(LEASE);
    }

    /** Both URLs, the one agents use first first. */
    String urls() {
        return a.baseUrl() + "," + b.baseUrl();
    }

    /** A ticker task on {@code queue} (enqueued); {@link #stop} ends it. */
    String createTicker(String queue, String name) {
        ObjectNode body = Json.object().put("name", name).put("queue", queue).put("enqueue", true).put("retries", 2);
        body.putObject("script").put("repo", repo.toString()).put("commit", commit).put("entryPoint", "ticker.py")
                .put("args", "'" + tmp.resolve(name) + "'");
        body.putObject("environment").put("manager", "system"); // the agent's python3: no venv to build
        return api.post("/api/v1/tasks", body).orElseThrow().path("id").asText();
    }

    void stop(String name) throws java.io.IOException {
        Files.writeString(tmp.resolve(name + ".stop"), "");
    }

    JsonNode task(String id) {
        return api.get("/api/v1/tasks/" + id);
    }

    List<String> texts(String id) {
        List<String> out = new ArrayList<>();
        api.get("/api/v1/tasks/" + id + "/logs?limit=5000").path("lines").forEach(l -> out.add(l.path("text").asText()));
        return out;
    }

    List<Integer> ticks(String id) {
        List<Integer> out = new ArrayList<>();
        for (String t : texts(id)) {
            Matcher m = TICK.matcher(t);
            if (m.matches()) out.add(Integer.parseInt(m.group(1)));
        }
        return out;
    }

    /** Waits until the task stored a tick numbered at least {@code n}. */
    void awaitTick(String id, int n, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            List<Integer> t = ticks(id);
            if (!t.isEmpty() && t.get(t.size() - 1) >= n) return;
            Thread.sleep(100);
        }
        throw new AssertionError("task " + id + " stored no tick " + n + " in " + timeout + ": " + task(id).toPrettyString());
    }

    JsonNode awaitTask(String id, Predicate<JsonNode> until, String what, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        JsonNode t = task(id);
        while (!until.test(t) && System.nanoTime() < deadline) {
            Thread.sleep(100);
            t = task(id);
        }
        assertThat(until.test(t)).as("task %s %s within %s; it is %s", id, what, timeout, t.toPrettyString()).isTrue();
        return t;
    }

    JsonNode awaitStatus(String id, String status, Duration timeout) throws InterruptedException {
        return awaitTask(id, t -> t.path("status").asText().equals(status), "reached " + status, timeout);
    }

    private boolean aStopped;

    /** Stops controller A (what its clients see: connections refused from now on). */
    void stopA() {
        if (aStopped) return;
        aStopped = true;
        a.close();
    }

    /** The worker's {@code lastSeen} as the store has it, or null. */
    java.time.Instant lastSeen(String worker) {
        for (JsonNode w : api.get("/api/v1/workers").path("items")) {
            if (w.path("name").asText().equals(worker) && w.hasNonNull("lastSeen")) {
                return java.time.Instant.parse(w.path("lastSeen").asText());
            }
        }
        return null;
    }

    @Override
    public void close() {
        stopA();
        if (b != null) b.close();
        store.shutdownNow();
    }
}

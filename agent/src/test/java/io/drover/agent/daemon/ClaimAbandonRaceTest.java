package io.drover.agent.daemon;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.drover.agent.cli.git.TestRepos;
import io.drover.controller.Controller;
import io.drover.controller.config.ControllerConfig;
import io.drover.shared.client.ApiClient;
import io.drover.shared.client.ControllerNodes;
import io.drover.shared.json.Json;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.eclipse.jgit.api.Git;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Abandoning a claim poll loses no task, whatever the timing: against a real controller, a poll
 * waits, a task is enqueued and the poll is abandoned a few milliseconds apart (swept across the
 * instant the controller claims the task for that poll). Each time, either the poll returns the
 * task (the agent runs it), or the task is back at the top of its queue with its attempt not
 * counted, and the next poll gets it at once. A claim the controller answered while the agent
 * dropped the connection would instead stay "running" with nobody holding it.
 */
@Timeout(120)
class ClaimAbandonRaceTest {
    @TempDir
    static Path tmp;
    static Controller controller;
    static ApiClient api;
    static ClaimClient claims;
    static String commit;
    static Path repo;
    static final String QUEUE = "race";

    @BeforeAll
    static void start() throws Exception {
        controller = Controller.start(ControllerConfig.defaults().withPort(0).withDataDir(tmp.resolve("data"))
                .withHeartbeat(Duration.ofSeconds(1)).withLease(Duration.ofSeconds(60)).withAuth(false));
        api = new ApiClient(controller.baseUrl(), null);
        repo = tmp.resolve("repo");
        try (Git git = TestRepos.init(repo, "task.py", "print('hi')\n")) {
            commit = git.getRepository().resolve("HEAD").getName();
        }
        ObjectNode worker = Json.object().put("name", "racer").put("hostname", "h").put("pid", 1).put("version", "t");
        worker.putArray("queues").add(QUEUE);
        api.post("/api/v1/workers", worker);
        claims = new ClaimClient(ControllerNodes.parse(controller.baseUrl()), "racer", null);
    }

    @AfterAll
    static void stop() {
        if (controller != null) controller.close();
    }

    static String enqueue(String name) {
        ObjectNode b = Json.object().put("name", name).put("project", "race").put("queue", QUEUE).put("enqueue", true);
        b.putObject("script").put("repo", repo.toString()).put("commit", commit).put("entryPoint", "task.py");
        return api.post("/api/v1/tasks", b).orElseThrow().path("id").asText();
    }

    static void finish(JsonNode claim) {
        String id = claim.path("task").path("id").asText();
        long epoch = claim.path("lease").path("epoch").asLong();
        api.withHeader(LeaseApi.LEASE_HEADER, claim.path("lease").path("token").asText())
                .post("/api/v1/tasks/" + id + "/finish", Json.object().put("epoch", epoch).put("status", "completed"));
    }

    static JsonNode awaitStatus(String id, String status) throws InterruptedException {
        long end = System.nanoTime() + Duration.ofSeconds(5).toNanos();
        JsonNode t = api.get("/api/v1/tasks/" + id);
        while (!status.equals(t.path("status").asText()) && System.nanoTime() < end) {
            Thread.sleep(10);
            t = api.get("/api/v1/tasks/" + id);
        }
        return t;
    }

    @Test
    void anAbandonedPollEitherDeliversItsClaimOrHandsItBack() throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(2);
        int delivered = 0;
        int handedBack = 0;
        try {
            for (int i = 0; i < 100; i++) {
                ClaimPoll poll = new ClaimPoll(ClaimFit.CPU_ONLY);
                Future<Optional<JsonNode>> polling = pool.submit(() -> claims.claim(List.of(QUEUE), false, 20, poll));
                Thread.sleep(30); // the poll is waiting on the controller now
                // the abandon lands from 0 to ~12 ms after the enqueue returns: before, during and after the claim
                long delayMicros = (i % 24) * 500L;
                String id = enqueue("t" + i);
                Future<?> cut = pool.submit(() -> {
                    long until = System.nanoTime() + delayMicros * 1000;
                    while (System.nanoTime() < until) Thread.onSpinWait();
                    poll.abandon();
                });
                Optional<JsonNode> got = polling.get(30, TimeUnit.SECONDS);
                cut.get(5, TimeUnit.SECONDS);
                if (got.isPresent()) {
                    assertThat(got.get().path("task").path("id").asText()).isEqualTo(id);
                    delivered++;
                    finish(got.get());
                    continue;
                }
                // not delivered: the controller must have left it queued or handed it straight back
                JsonNode t = awaitStatus(id, "queued");
                assertThat(t.path("status").asText()).as("iteration %d (abandon %d us after enqueue): %s", i, delayMicros, t)
                        .isEqualTo("queued");
                assertThat(t.path("execution").path("attempt").asInt()).as("attempt of a claim never delivered: %s", t).isZero();
                handedBack++;
                // and it is claimable at once, first in its queue
                Optional<JsonNode> again = claims.claim(List.of(QUEUE), false, 5, new ClaimPoll(ClaimFit.CPU_ONLY));
                assertThat(again).as("iteration %d: the handed-back task is claimable", i).isPresent();
                assertThat(again.get().path("task").path("id").asText()).isEqualTo(id);
                finish(again.get());
            }
        } finally {
            pool.shutdownNow();
        }
        System.out.printf("abandoned polls: %d delivered their claim, %d left/handed it back%n", delivered, handedBack);
        assertThat(delivered + handedBack).isEqualTo(100);
        assertThat(handedBack).as("some polls were abandoned before the claim").isPositive();
    }

    @Test
    void aPollAbandonedBeforeAnyTaskComesClaimsNothingLater() throws Exception {
        abandonBeforeAnyTask(claims);
    }

    /** The https path: cancelling JDK 17 HttpClient's exchange closes the connection, and the controller sees it. */
    @Test
    void aCancelledHttpClientPollAlsoEndsOnTheController() throws Exception {
        abandonBeforeAnyTask(new ClaimClient(ControllerNodes.parse(controller.baseUrl()), "racer", null, false));
    }

    static void abandonBeforeAnyTask(ClaimClient claims) throws Exception {
        ClaimPoll poll = new ClaimPoll(ClaimFit.CPU_ONLY);
        ExecutorService pool = Executors.newSingleThreadExecutor();
        try {
            Future<Optional<JsonNode>> polling = pool.submit(() -> claims.claim(List.of(QUEUE), false, 20, poll));
            Thread.sleep(200);
            long cutAt = System.nanoTime();
            poll.abandon();
            assertThat(polling.get(10, TimeUnit.SECONDS)).isEmpty();
            // the controller saw the hang-up at once: the poll ended well before its 20 s wait
            assertThat(Duration.ofNanos(System.nanoTime() - cutAt)).isLessThan(Duration.ofSeconds(2));
            // a task enqueued now is not claimed by the abandoned poll's waiter on the controller
            String id = enqueue("late");
            Thread.sleep(300);
            assertThat(api.get("/api/v1/tasks/" + id).path("status").asText()).isEqualTo("queued");
            Optional<JsonNode> next = claims.claim(List.of(QUEUE), false, 5, new ClaimPoll(ClaimFit.CPU_ONLY));
            assertThat(next).isPresent();
            finish(next.get());
        } finally {
            pool.shutdownNow();
        }
    }
}

package io.drover.controller.lease;

import static io.drover.controller.testing.Tasks.task;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.drover.controller.Controller;
import io.drover.controller.config.ControllerConfig;
import io.drover.controller.singleton.SingletonLeases;
import io.drover.controller.store.StoreServer;
import io.drover.controller.testing.Api;
import io.drover.shared.json.Json;
import java.nio.file.Path;
import java.time.Duration;
import org.bson.Document;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Two controllers on one store: one runs the lease watchdog; when it stops, the other takes over. */
class WatchdogFailoverTest {
    @TempDir
    Path tmp;

    @Test
    void theOtherControllerTakesOverTheWatchdog() throws Exception {
        try (StoreServer store = StoreServer.start(tmp.resolve("store"), "127.0.0.1", 0)) {
            ControllerConfig base = ControllerConfig.defaults().withPort(0).withAuth(false).withMongoUri(store.connectionString())
                    .withLease(Duration.ofSeconds(2)).withHeartbeat(Duration.ofSeconds(1));
            Controller a = Controller.start(base.withDataDir(tmp.resolve("a")));
            try (Controller b = Controller.start(base.withDataDir(tmp.resolve("b")))) {
                Document first = lease(b);
                assertThat(first.get("epoch", Number.class).longValue()).as("the first controller leads").isEqualTo(1);

                Api api = new Api(b.baseUrl());
                api.ok("/workers", Json.object().put("name", "w-gone").set("queues", Json.MAPPER.createArrayNode().add("f")));
                String id = api.ok("/tasks", task("orphan").put("queue", "f").put("retries", 1).put("enqueue", true)).path("id").asText();
                ObjectNode claim = Json.object().put("wait", 5);
                claim.putArray("queues").add("f");
                assertThat(api.ok("/workers/w-gone/claim", claim).path("task").path("id").asText()).isEqualTo(id);

                // the leader stops; its worker never heartbeats: b must take over and requeue the task
                long stop = System.nanoTime();
                a.close();
                a = null;
                long tookOver = 0;
                long requeued = 0;
                long end = System.nanoTime() + Duration.ofSeconds(20).toNanos();
                while (System.nanoTime() < end && requeued == 0) {
                    if (tookOver == 0 && !lease(b).getString("owner").equals(first.getString("owner"))) tookOver = System.nanoTime();
                    JsonNode t = api.okGet("/tasks/" + id);
                    if (t.path("status").asText().equals("queued")) requeued = System.nanoTime();
                    Thread.sleep(50);
                }
                assertThat(tookOver).as("b took the watchdog's lease").isPositive();
                assertThat(requeued).as("the orphaned task was requeued").isPositive();
                System.out.printf("watchdog take-over %d ms after a clean stop; orphan requeued %d ms after it%n",
                        (tookOver - stop) / 1_000_000, (requeued - stop) / 1_000_000);
                assertThat(lease(b).get("epoch", Number.class).longValue()).isEqualTo(2);
            } finally {
                if (a != null) a.close();
            }
        }
    }

    private static Document lease(Controller c) {
        return c.services().store().collection(SingletonLeases.COLLECTION).find(new Document("_id", LeaseWatchdog.JOB)).first();
    }
}

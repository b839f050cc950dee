package io.drover.controller.http;

import static io.drover.controller.testing.Tasks.task;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.drover.controller.Controller;
import io.drover.controller.config.ControllerConfig;
import io.drover.controller.testing.Api;
import io.drover.shared.json.Json;
import java.nio.file.Path;
import java.time.Duration;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A worker that stops heartbeating loses its task: requeued while retries allow, then failed "worker lost". */
class LeaseExpiryTest {
    @TempDir
    Path dir;

    @Test
    void expiredLeaseRequeuesThenFailsWithWorkerLost() throws Exception {
        ControllerConfig cfg = io.drover.controller.testing.TestConfig.forTest(dir).withAuth(false)
                .withLease(Duration.ofSeconds(2)).withHeartbeat(Duration.ofSeconds(1));
        try (Controller c = Controller.start(cfg)) {
            Api api = new Api(c.baseUrl());
            api.ok("/workers", Json.object().put("name", "w-lost").set("queues", Json.MAPPER.createArrayNode().add("lost")));
            String id = api.ok("/tasks", task("fragile").put("queue", "lost").put("retries", 1).put("enqueue", true))
                    .path("id").asText();
            ObjectNode claim = Json.object().put("wait", 5);
            claim.putArray("queues").add("lost");

            long epoch1 = api.ok("/workers/w-lost/claim", claim).path("lease").path("epoch").asLong();
            JsonNode requeued = waitFor(api, id, t -> t.path("status").asText().equals("queued"));
            assertThat(requeued.path("execution").path("attempt").asInt()).isEqualTo(1);

            // the old holder is fenced off
            Api.Res stale = api.post("/tasks/" + id + "/finish", Json.object().put("epoch", epoch1).put("status", "completed"));
            assertThat(stale.errorCode()).isEqualTo("stale_lease");

            JsonNode second = api.ok("/workers/w-lost/claim", claim);
            assertThat(second.path("lease").path("epoch").asLong()).isGreaterThan(epoch1);
            JsonNode failed = waitFor(api, id, t -> t.path("status").asText().equals("failed"));
            assertThat(failed.path("statusReason").asText()).isEqualTo("worker lost");
            assertThat(failed.path("lease").isNull()).isTrue();
        }
    }

    private static JsonNode waitFor(Api api, String id, Predicate<JsonNode> p) throws InterruptedException {
        long end = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        JsonNode t;
        do {
            t = api.okGet("/tasks/" + id);
            if (p.test(t)) return t;
            Thread.sleep(100);
        } while (System.nanoTime() < end);
        throw new AssertionError("task never reached the expected state: " + t);
    }
}

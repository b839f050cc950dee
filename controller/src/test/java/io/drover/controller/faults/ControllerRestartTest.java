package io.drover.controller.faults;

import static io.drover.controller.testing.Tasks.task;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.drover.controller.testing.Api;
import io.drover.controller.testing.ChildController;
import io.drover.shared.json.Json;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code kill -9} of a controller on the embedded store, then a restart on the same {@code --data}:
 * every acknowledged write is there (tasks, queue order, a running task's lease, log lines,
 * scalars, a finished task), and the agent of the running task carries on under the same lease.
 */
class ControllerRestartTest {
    @TempDir
    Path tmp;

    @Test
    void everythingAcknowledgedSurvivesKill9AndTheLeaseHolderCarriesOn() throws Exception {
        Path data = tmp.resolve("data");
        String running;
        String done;
        long epoch;
        List<String> queued = new ArrayList<>();
        List<String> lines = new ArrayList<>();
        ChildController first = ChildController.start(data, tmp.resolve("first.log"));
        try {
            Api api = new Api(first.url());
            api.ok("/workers", Json.object().put("name", "w1").set("queues", Json.MAPPER.createArrayNode().add("r")));
            running = api.ok("/tasks", task("long-run").put("queue", "r").put("enqueue", true)).path("id").asText();
            done = api.ok("/tasks", task("short-run").put("queue", "r").put("enqueue", true)).path("id").asText();
            epoch = claim(api).path("lease").path("epoch").asLong();
            long doneEpoch = claim(api).path("lease").path("epoch").asLong();
            for (int i = 0; i < 3; i++) {
                queued.add(api.ok("/tasks", task("waiting-" + i).put("queue", "r").put("enqueue", true)).path("id").asText());
            }
            for (int b = 1; b <= 4; b++) logs(api, running, epoch, b, lines);
            api.ok("/tasks/" + running + "/scalars", points(epoch, 1, 0, 50));
            // Past H2's own once-a-second commit: what follows is on disk only if it was committed
            // before it was acknowledged.
            Thread.sleep(1500);
            logs(api, running, epoch, 5, lines);
            api.ok("/tasks/" + running + "/scalars", points(epoch, 2, 50, 10));
            api.ok("/tasks/" + done + "/finish", Json.object().put("epoch", doneEpoch).put("status", "completed").put("exitCode", 0));
            queued.add(api.ok("/tasks", task("last").put("queue", "r").put("enqueue", true)).path("id").asText());
        } finally {
            first.kill();
        }

        try (ChildController second = ChildController.start(data, tmp.resolve("second.log"))) {
            Api api = new Api(second.url());
            JsonNode t = api.okGet("/tasks/" + running);
            assertThat(t.path("status").asText()).isEqualTo("running");
            assertThat(t.path("lease").path("epoch").asLong()).as("same lease").isEqualTo(epoch);
            assertThat(api.okGet("/tasks/" + running + "/logs?limit=5000").path("lines").findValuesAsText("text"))
                    .containsExactlyElementsOf(lines);
            JsonNode series = api.okGet("/tasks/" + running + "/scalars").path("items").get(0);
            assertThat(series.path("metric").asText()).isEqualTo("loss");
            assertThat(series.path("count").asLong()).isEqualTo(60);
            assertThat(api.okGet("/tasks/" + done).path("status").asText()).isEqualTo("completed");
            assertThat(api.okGet("/queues/r/entries").path("items").findValuesAsText("id")).containsExactlyElementsOf(queued);
            // the agent carries on: its next batch under the same lease is taken, and a repeated one is not stored twice
            logs(api, running, epoch, 6, lines);
            Api.Res again = api.post("/tasks/" + running + "/logs", logBatch(epoch, 6, new ArrayList<>()));
            assertThat(again.status()).isEqualTo(200);
            assertThat(api.okGet("/tasks/" + running + "/logs?limit=5000").path("lines").size()).isEqualTo(lines.size());
            api.ok("/tasks/" + running + "/finish", Json.object().put("epoch", epoch).put("status", "completed").put("exitCode", 0));
            assertThat(api.okGet("/tasks/" + running).path("status").asText()).isEqualTo("completed");
        }
    }

    private static JsonNode claim(Api api) {
        ObjectNode claim = Json.object().put("wait", 5);
        claim.putArray("queues").add("r");
        JsonNode c = api.ok("/workers/w1/claim", claim);
        assertThat(c).as("a task was claimed").isNotNull();
        return c;
    }

    private static void logs(Api api, String id, long epoch, int batch, List<String> sent) {
        api.ok("/tasks/" + id + "/logs", logBatch(epoch, batch, sent));
    }

    private static ObjectNode logBatch(long epoch, int batch, List<String> sent) {
        ObjectNode b = Json.object().put("epoch", epoch).put("batch", batch);
        ArrayNode ls = b.putArray("lines");
        for (int i = 0; i < 20; i++) {
            String text = "batch " + batch + " line " + i;
            ls.addObject().put("ts", "2026-01-01T00:00:00Z").put("stream", "stdout").put("text", text);
            sent.add(text);
        }
        return b;
    }

    private static ObjectNode points(long epoch, long batch, int from, int n) {
        ObjectNode b = Json.object().put("epoch", epoch).put("batch", batch);
        ArrayNode ps = b.putArray("points");
        for (int i = from; i < from + n; i++) {
            ps.addObject().put("metric", "loss").put("iter", i).put("value", 1.0 / (i + 1)).put("ts", 1_700_000_000_000L + i);
        }
        return b;
    }
}

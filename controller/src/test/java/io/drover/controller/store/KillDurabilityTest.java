package io.drover.controller.store;

import static io.drover.controller.testing.Tasks.task;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.drover.controller.testing.Api;
import io.drover.controller.testing.ChildController;
import io.drover.shared.json.Json;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An acknowledged write survives {@code kill -9} of the controller. The embedded store alone only
 * commits about once a second, so without the group commit these tasks would be lost.
 */
class KillDurabilityTest {
    @TempDir
    Path tmp;

    @Test
    void acknowledgedTasksSurviveKill9() throws Exception {
        Path data = tmp.resolve("data");
        List<String> ids = new ArrayList<>();
        List<String> enqueued = new ArrayList<>();
        ChildController first = ChildController.start(data, tmp.resolve("first.log"));
        try {
            Api api = new Api(first.url());
            String single = api.ok("/tasks", task("survivor")).path("id").asText();
            // a burst of concurrent creates (enqueue:true) that share group commits
            List<CompletableFuture<List<String>>> writers = new ArrayList<>();
            for (int w = 0; w < 4; w++) {
                int writer = w;
                writers.add(CompletableFuture.supplyAsync(() -> {
                    List<String> acked = new ArrayList<>();
                    for (int n = 0; n < 10; n++) {
                        acked.add(api.ok("/tasks", task("burst-" + writer + "-" + n).put("enqueue", true)).path("id").asText());
                    }
                    return acked;
                }));
            }
            for (var f : writers) enqueued.addAll(f.get());
            // Let the store's own once-a-second commit pass, so that what follows is only on disk if
            // the controller committed it before answering. (A burst of big writes also makes H2
            // commit on its own when enough memory is dirty; a single small change after a quiet
            // second does not.)
            Thread.sleep(1500);
            String late = api.ok("/tasks", task("late").put("enqueue", true)).path("id").asText();
            enqueued.add(late);
            JsonNode q = api.ok("/tasks/" + single + "/enqueue", Json.object());
            assertThat(q.path("status").asText()).isEqualTo("queued");
            enqueued.add(single);
            ids.addAll(enqueued);
        } finally {
            first.kill();
        }

        try (ChildController second = ChildController.start(data, tmp.resolve("second.log"))) {
            Api api = new Api(second.url());
            for (String id : ids) {
                Api.Res r = api.get("/tasks/" + id);
                assertThat(r.status()).as("task %s after kill -9", id).isEqualTo(200);
                assertThat(r.json().path("status").asText()).as("status of %s", id).isEqualTo("queued");
            }
            assertThat(api.okGet("/queues/default/entries").path("items").findValuesAsText("id"))
                    .containsExactlyInAnyOrderElementsOf(enqueued);
        }
    }

    @Test
    void secondControllerOnTheSameDataDirectoryIsRefused() throws Exception {
        Path data = tmp.resolve("shared");
        try (ChildController first = ChildController.start(data, tmp.resolve("owner.log"))) {
            ChildController.Result r = ChildController.run(data, tmp.resolve("intruder.log"));
            assertThat(r.exitCode()).isEqualTo(1);
            assertThat(r.output()).contains("data directory " + data.toAbsolutePath().normalize() + " is in use by another controller");
            // the first one still works
            assertThat(new Api(first.url()).okGet("/health").path("status").asText()).isEqualTo("ok");
        }
        assertThat(Files.exists(data.resolve(EmbeddedStore.FILE_NAME))).isTrue();
    }
}

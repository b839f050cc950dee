package io.drover.controller.metrics;

import static io.drover.controller.testing.Tasks.task;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.drover.controller.Controller;
import io.drover.controller.config.ControllerConfig;
import io.drover.controller.testing.Api;
import io.drover.controller.testing.TestConfig;
import io.drover.shared.json.Json;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The operations metrics after real actions on a real controller: a lost worker's lease expires
 * (requeue), a live worker with two GPUs heartbeats, claims and completes the task.
 */
class ScaleMetricsTest {
    @TempDir
    Path dir;

    @Test
    void leaseExpiriesWorkersGpusFinishesAndStoreLatency() throws Exception {
        ControllerConfig cfg = TestConfig.forTest(dir).withAuth(false)
                .withLease(Duration.ofSeconds(2)).withHeartbeat(Duration.ofSeconds(1));
        try (Controller c = Controller.start(cfg)) {
            Api api = new Api(c.baseUrl());
            api.ok("/workers", Json.object().put("name", "w-lost").set("queues", Json.MAPPER.createArrayNode().add("train")));
            String id = api.ok("/tasks", task("fragile").put("queue", "train").put("retries", 1).put("enqueue", true)).path("id").asText();
            ObjectNode claim = Json.object().put("wait", 5);
            claim.putArray("queues").add("train");
            api.ok("/workers/w-lost/claim", claim);

            String m0 = scrape(c);
            assertThat(value(m0, "drover_lease_expiries_total{outcome=\"requeued\"}")).isEqualTo(0);

            // w-lost never heartbeats: the watchdog requeues its task
            long end = System.nanoTime() + Duration.ofSeconds(15).toNanos();
            while (!api.okGet("/tasks/" + id).path("status").asText().equals("queued")) {
                assertThat(System.nanoTime()).as("task never requeued").isLessThan(end);
                Thread.sleep(100);
            }

            // a live worker on the same queue, with two GPUs
            ObjectNode stats = Json.object();
            stats.putArray("gpus").add(Json.object().put("index", 0).put("util", 87)).add(Json.object().put("index", 1).put("util", 12.5));
            ObjectNode reg = Json.object().put("name", "w-gpu").set("stats", stats);
            reg.putArray("queues").add("train").add("eval");
            api.ok("/workers", reg);
            ObjectNode claim2 = Json.object().put("wait", 5);
            claim2.putArray("queues").add("train");
            long epoch = api.ok("/workers/w-gpu/claim", claim2).path("lease").path("epoch").asLong();
            api.ok("/tasks/" + id + "/finish", Json.object().put("epoch", epoch).put("status", "completed"));
            api.ok("/workers/w-gpu/heartbeat", Json.object().set("stats", stats));

            // w-lost counts as offline three heartbeat periods after it was last seen (its claim)
            long offlineBy = System.nanoTime() + Duration.ofSeconds(20).toNanos();
            long t0 = System.nanoTime();
            while (isOnline(api, "w-lost")) {
                assertThat(System.nanoTime()).as("w-lost never went offline").isLessThan(offlineBy);
                Thread.sleep(100);
            }
            api.ok("/workers/w-gpu/heartbeat", Json.object().set("stats", stats));

            String m = scrape(c);
            assertThat(value(m, "drover_lease_expiries_total{outcome=\"requeued\"}")).isEqualTo(1);
            assertThat(value(m, "drover_lease_expiries_total{outcome=\"failed\"}")).isEqualTo(0);
            assertThat(value(m, "drover_task_requeues_total{reason=\"lease_expired\"}")).isEqualTo(1);
            assertThat(value(m, "drover_tasks_finished_total{status=\"completed\"}")).isEqualTo(1);
            assertThat(value(m, "drover_tasks_finished_total{status=\"failed\"}")).isEqualTo(0);
            // w-gpu heartbeated just now; w-lost was last seen > 3 heartbeats ago
            assertThat(value(m, "drover_workers{state=\"online\"}")).isEqualTo(1);
            assertThat(value(m, "drover_workers{state=\"offline\"}")).isEqualTo(1);
            assertThat(value(m, "drover_queue_workers_online{queue=\"train\"}")).isEqualTo(1);
            assertThat(value(m, "drover_queue_workers_online{queue=\"eval\"}")).isEqualTo(1);
            assertThat(value(m, "drover_worker_gpu_utilization_percent{gpu=\"0\",worker=\"w-gpu\"}")).isEqualTo(87);
            assertThat(value(m, "drover_worker_gpu_utilization_percent{gpu=\"1\",worker=\"w-gpu\"}")).isEqualTo(12.5);
            assertThat(m).doesNotContain("worker=\"w-lost\"");
            // two claims from "train", each timed from enqueue
            assertThat(value(m, "drover_time_in_queue_seconds_count{queue=\"train\"}")).isEqualTo(2);
            // every store command is timed, by command name
            assertThat(value(m, "drover_store_command_duration_seconds_count{command=\"find\"}")).isGreaterThan(0);
            assertThat(value(m, "drover_store_command_duration_seconds_sum{command=\"find\"}")).isGreaterThan(0).isLessThan(60);
        }
    }

    private static boolean isOnline(Api api, String worker) {
        for (var w : api.okGet("/workers").path("items")) {
            if (w.path("name").asText().equals(worker)) return w.path("online").asBoolean();
        }
        throw new AssertionError("no worker " + worker);
    }

    private static String scrape(Controller c) throws Exception {
        HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(c.baseUrl() + "/metrics")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).isEqualTo(200);
        return r.body();
    }

    /** The value of one series in the text exposition; fails when the series is missing. */
    private static double value(String exposition, String series) {
        for (String line : exposition.split("\n")) {
            if (line.startsWith(series + " ")) return Double.parseDouble(line.substring(series.length() + 1).trim().split(" ")[0]);
        }
        throw new AssertionError("no series " + series + " in /metrics");
    }
}

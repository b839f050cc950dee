package io.drover.controller.metrics;

import static io.drover.controller.logs.ExtrasFixture.json;
import static org.assertj.core.api.Assertions.assertThat;

import io.drover.controller.logs.ExtrasFixture;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code GET /metrics} on a real controller after real requests, claims included. */
class MetricsApiTest {
    @TempDir
    static Path dir;
    static ExtrasFixture f;

    @BeforeAll
    static void start() throws Exception {
        f = new ExtrasFixture(dir);
    }

    @AfterAll
    static void stop() {
        f.close();
    }

    @Test
    void exposesQueueTaskHttpClaimAndJvmSeries() throws Exception {
        String script = "{\"repo\":\"/tmp/repo\",\"entryPoint\":\"train.py\"}";
        for (int i = 0; i < 2; i++) {
            HttpResponse<String> c = f.postJson("/api/v1/tasks", "{\"name\":\"m" + i + "\",\"queue\":\"gpu\",\"script\":" + script + ",\"enqueue\":true}");
            assertThat(c.statusCode()).as(c.body()).isEqualTo(201);
        }
        assertThat(f.postJson("/api/v1/workers", "{\"name\":\"w1\",\"queues\":[\"gpu\"],\"hostname\":\"h\",\"pid\":1,\"version\":\"t\"}")
                .statusCode()).isEqualTo(200);
        HttpResponse<String> claim = f.postJson("/api/v1/workers/w1/claim", "{\"queues\":[\"gpu\"],\"wait\":1}");
        assertThat(claim.statusCode()).as(claim.body()).isEqualTo(200);
        String claimed = json(claim).path("task").path("id").asText();
        f.get("/api/v1/tasks/" + claimed + "/logs");
        f.get("/api/v1/tasks/" + claimed + "/logs");
        f.get("/api/v1/no-such-route");

        HttpResponse<String> r = f.get("/metrics");
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.headers().firstValue("Content-Type")).hasValueSatisfying(t -> assertThat(t).startsWith("text/plain"));
        String m = r.body();
        assertThat(m).contains("drover_queue_depth{queue=\"gpu\"} 1");
        assertThat(m).contains("drover_tasks{status=\"queued\"} 1").contains("drover_tasks{status=\"running\"} 1")
                .contains("drover_tasks{status=\"failed\"} 0");
        assertThat(m).contains("drover_time_in_queue_seconds_count{queue=\"gpu\"} 1");
        assertThat(m).contains("drover_claim_latency_seconds_count 1");
        // route templates, never raw ids
        assertThat(m).contains("drover_http_request_duration_seconds_count{method=\"GET\",route=\"/api/v1/tasks/:id/logs\",status=\"200\"} 2");
        assertThat(m).contains("route=\"/api/v1/workers/:name/claim\",status=\"200\"");
        assertThat(m).contains("route=\"unmatched\",status=\"404\"");
        assertThat(m).doesNotContain(claimed);
        assertThat(m).contains("jvm_memory_used_bytes");
    }
}

package io.drover.controller.workers;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.drover.shared.json.Json;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/** The in-memory ring: one sample per heartbeat period, one hour kept, oldest first. */
class WorkerHistoryTest {
    static final Instant T0 = Instant.parse("2026-11-26T10:00:00Z");

    @Test
    void keepsOneSamplePerPeriodForOneHour() {
        WorkerHistory h = new WorkerHistory(Duration.ofSeconds(5));
        for (int s = 0; s < 2 * 3600; s++) h.record("w", Json.object().put("cpuPercent", s), T0.plusSeconds(s)); // a 1 s beat
        Instant now = T0.plusSeconds(2 * 3600 - 1);
        JsonNode items = h.since("w", 60, now).path("items");
        assertThat(items.size()).isBetween(719, 721);
        assertThat(items.get(items.size() - 1).path("cpuPercent").asInt()).isEqualTo(2 * 3600 - 1); // the latest wins its slot
        assertThat(Instant.parse(items.get(0).path("ts").asText())).isAfterOrEqualTo(now.minus(Duration.ofHours(1)));
        assertThat(h.since("w", 10, now).path("items").size()).isBetween(119, 121);
        assertThat(h.since("other", 60, now).path("items")).isEmpty();
    }
}

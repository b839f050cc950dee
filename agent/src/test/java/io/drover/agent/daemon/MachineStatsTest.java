package io.drover.agent.daemon;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MachineStatsTest {
    @TempDir
    Path dir;

    @Test
    void samplesCpuMemoryAndDisk() throws Exception {
        MachineStats s = new MachineStats(dir);
        s.sample();
        long end = System.nanoTime() + 200_000_000L;
        while (System.nanoTime() < end) Math.sqrt(Math.random()); // some CPU to measure
        JsonNode n = s.sample();
        assertThat(n.path("cpuPercent").asDouble()).isBetween(0.0, 100.0);
        assertThat(n.path("memTotalMb").asLong()).isPositive();
        assertThat(n.path("memUsedMb").asLong()).isBetween(1L, n.path("memTotalMb").asLong());
        assertThat(n.path("diskFreeMb").asLong()).isPositive();
    }

    @Test
    void backoffGrowsWithJitterAndIsCapped() {
        Backoff b = new Backoff(Duration.ofMillis(500), Duration.ofSeconds(30));
        Duration first = b.next();
        assertThat(first.toMillis()).isBetween(250L, 500L);
        Duration last = first;
        for (int i = 0; i < 20; i++) last = b.next();
        assertThat(last.toMillis()).isBetween(15_000L, 30_000L);
        b.reset();
        assertThat(b.next().toMillis()).isBetween(250L, 500L);
    }
}

package io.drover.agent.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import io.drover.agent.gpu.GpuStat;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

/** The per-GPU series, read from the daemons' last samples at scrape time (one series per GPU, unknown values left out). */
class PrometheusMetricsTest {

    @Test
    void gpuSeriesComeFromTheLastSampleOfEachGpuOnce() {
        List<AgentMetrics.Source> sources = new CopyOnWriteArrayList<>();
        GpuStat busy = new GpuStat(0, "GPU-a", "NVIDIA H100 80GB HBM3", 100.0, 1011L, 81559L, 63.0, 693.78);
        GpuStat unknown = new GpuStat(1, "GPU-b", "NVIDIA H100 80GB HBM3", null, null, 81559L, null, null);
        // two daemons in one JVM see the same machine: each GPU is shown once
        sources.add(new AgentMetrics.Source(() -> 1, () -> 2, () -> List.of(busy, unknown)));
        sources.add(new AgentMetrics.Source(() -> 0, () -> 2, () -> List.of(busy)));
        String text = new String(new PrometheusMetrics(sources).scrape(), StandardCharsets.UTF_8);

        assertThat(text).contains("drover_agent_gpu_utilization_percent{gpu=\"0\"} 100.0")
                .doesNotContain("drover_agent_gpu_utilization_percent{gpu=\"1\"}")
                .contains("drover_agent_gpu_memory_used_bytes{gpu=\"0\"} " + (1011.0 * 1024 * 1024))
                .doesNotContain("drover_agent_gpu_memory_used_bytes{gpu=\"1\"}")
                .contains("drover_agent_gpu_memory_total_bytes{gpu=\"0\"} " + (81559.0 * 1024 * 1024))
                .contains("drover_agent_gpu_memory_total_bytes{gpu=\"1\"} " + (81559.0 * 1024 * 1024))
                .contains("drover_agent_slots_busy 1.0");
        assertThat(text.lines().filter(l -> l.startsWith("drover_agent_gpu_utilization_percent{")).count()).isEqualTo(1);
    }
}

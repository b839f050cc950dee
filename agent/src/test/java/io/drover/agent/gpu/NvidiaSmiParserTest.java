package io.drover.agent.gpu;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The parsers on the real H100 outputs in shared/fixtures/nvidia-smi/h100-80gb/. */
class NvidiaSmiParserTest {
    static final Path FIXTURES = Fixtures.H100;

    @Test
    void idleH100() throws Exception {
        List<GpuStat> gpus = NvidiaSmiParser.gpus(Files.readString(FIXTURES.resolve("query-gpu-idle.csv")));
        assertThat(gpus).containsExactly(new GpuStat(0, "GPU-ddf48c9b-a1cb-55f6-f4d9-58808e48b3df", "NVIDIA H100 80GB HBM3",
                0.0, 0L, 81559L, 38.0, 70.61));
    }

    @Test
    void busyH100() throws Exception {
        GpuStat g = NvidiaSmiParser.gpus(Files.readString(FIXTURES.resolve("query-gpu-busy.csv"))).get(0);
        assertThat(g.util()).isEqualTo(100.0);
        assertThat(g.memUsedMb()).isEqualTo(1011L);
        assertThat(g.memTotalMb()).isEqualTo(81559L);
        assertThat(g.tempC()).isEqualTo(63.0);
        assertThat(g.powerW()).isEqualTo(693.78);
    }

    @Test
    void computeAppsOfTheBusyH100() throws Exception {
        assertThat(NvidiaSmiParser.processes(Files.readString(FIXTURES.resolve("query-apps-busy.csv"))))
                .containsExactly(new GpuProcess(463, "python3", "GPU-ddf48c9b-a1cb-55f6-f4d9-58808e48b3df", 1002L));
        assertThat(NvidiaSmiParser.processes("")).isEmpty();
    }

    @Test
    void notAvailableFiguresAreNullNotZero() {
        String line = "1, GPU-x, Tesla T4, 15360, [N/A], 15000, [Not Supported], 0, [N/A], [N/A], 70.00, [N/A], 535.1\n";
        GpuStat g = NvidiaSmiParser.gpus(line).get(0);
        assertThat(g.index()).isEqualTo(1);
        assertThat(g.memUsedMb()).isNull();
        assertThat(g.util()).isNull();
        assertThat(g.tempC()).isNull();
        assertThat(g.powerW()).isNull();
        assertThat(g.toJson("t1").toString()).contains("\"util\":null").contains("\"taskId\":\"t1\"").contains("\"memTotalMb\":15360");
    }

    @Test
    void linesThatAreNotGpusAreSkipped() {
        String out = "WARNING: infoROM is corrupted at gpu 0000:00:06.0\n"
                + "0, GPU-a, NVIDIA H100 80GB HBM3, 81559, 0, 81079, 0, 0, 38, 70.61, 700.00, [N/A], 580.159.04\n"
                + "\n"
                + "x, GPU-b, broken, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1\n";
        assertThat(NvidiaSmiParser.gpus(out)).extracting(GpuStat::uuid).containsExactly("GPU-a");
        assertThat(NvidiaSmiParser.gpus(null)).isEmpty();
    }

    @Test
    void columnsAreFoundByTheQueryFieldNames() {
        List<String> fields = List.of("index", "uuid", "name", "utilization.gpu", "memory.used", "memory.total",
                "temperature.gpu", "power.draw");
        GpuStat g = NvidiaSmiParser.gpus("3, GPU-z, A100, 55, 1000, 40960, 50, 250.5", fields).get(0);
        assertThat(g).isEqualTo(new GpuStat(3, "GPU-z", "A100", 55.0, 1000L, 40960L, 50.0, 250.5));
    }

    @Test
    void theSelectionFlag() {
        assertThat(GpuSelection.parse(null).isNone()).isTrue();
        assertThat(GpuSelection.parse("none").isNone()).isTrue();
        assertThat(GpuSelection.parse("all").all()).isTrue();
        assertThat(GpuSelection.parse(" 1,0 ").indexes()).containsExactly(0, 1);
        assertThatThrownBy(() -> GpuSelection.parse("0,x")).hasMessageContaining("'x' is not a GPU index");
        assertThatThrownBy(() -> GpuSelection.parse("0,0")).hasMessageContaining("twice");
        List<GpuStat> two = List.of(new GpuStat(0, "a", "n", 0.0, 0L, 1L, 0.0, 0.0), new GpuStat(1, "b", "n", 0.0, 0L, 1L, 0.0, 0.0));
        assertThat(GpuSelection.ALL.resolve(two)).containsExactly(0, 1);
        assertThat(GpuSelection.parse("1").resolve(two)).containsExactly(1);
        assertThatThrownBy(() -> GpuSelection.parse("2").resolve(two)).hasMessageContaining("GPU 2 is not on this machine");
        assertThatThrownBy(() -> GpuSelection.ALL.resolve(List.of())).hasMessageContaining("found no GPU");
    }

    @Test
    void theAllocatorHandsOutWholeFreeGpusLowestFirst() {
        GpuAllocator a = new GpuAllocator(List.of(1, 0, 2));
        assertThat(a.allocate("t1", 1)).contains(List.of(0));
        assertThat(a.allocate("t2", 2)).contains(List.of(1, 2));
        assertThat(a.allocate("t3", 1)).isEmpty();
        assertThat(a.free()).isZero();
        assertThat(a.holder(2)).isEqualTo("t2");
        a.release("t2");
        assertThat(a.free()).isEqualTo(2);
        assertThat(a.allocate("t4", 3)).isEmpty();
        assertThat(a.free()).as("a refused allocation takes nothing").isEqualTo(2);
        assertThat(a.allocate("t0", 0)).contains(List.of());
        assertThat(GpuAllocator.visibleDevices(List.of(1, 2))).isEqualTo("1,2");
        assertThat(GpuAllocator.visibleDevices(List.of())).isEmpty();
    }
}

package io.drover.agent.daemon;

import static org.assertj.core.api.Assertions.assertThat;

import io.drover.agent.gpu.GpuAllocator;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** What the claim loop asks for: CPU slots up to --max-parallel, GPU tasks while GPUs are free. */
class CapacityTest {
    @Test
    void theFitFollowsFreeCpuSlotsAndGpus() {
        Capacity c = new Capacity(1, new GpuAllocator(List.of(0, 1)));
        assertThat(c.maxTasks()).isEqualTo(3);
        assertThat(c.idle()).isTrue();
        assertThat(c.fit()).contains(new ClaimFit(0, 2));
        assertThat(c.take("cpu", 0)).contains(List.of());
        assertThat(c.fit()).as("CPU slot busy: GPU tasks only").contains(new ClaimFit(1, 2));
        assertThat(c.take("cpu2", 0)).isEmpty();
        assertThat(c.take("g1", 1)).contains(List.of(0));
        assertThat(c.fit()).contains(new ClaimFit(1, 1));
        assertThat(c.take("g2", 2)).as("only one GPU free").isEmpty();
        assertThat(c.take("g2", 1)).contains(List.of(1));
        assertThat(c.fit()).as("full").isEmpty();
        c.give("g1", 1);
        assertThat(c.fit()).contains(new ClaimFit(1, 1));
        c.give("cpu", 0);
        assertThat(c.fit()).contains(new ClaimFit(0, 1));
        assertThat(c.idle()).isFalse();
        c.give("g2", 1);
        assertThat(c.idle()).isTrue();
    }

    @Test
    void withoutGpusOnlyCpuTasksAreAskedFor() throws Exception {
        Capacity c = new Capacity(2, new GpuAllocator(List.of()));
        assertThat(c.managesGpus()).isFalse();
        assertThat(c.fit()).contains(new ClaimFit(0, 0));
        c.take("a", 0);
        c.take("b", 0);
        assertThat(c.fit()).isEmpty();
        CompletableFuture<ClaimFit> room = CompletableFuture.supplyAsync(() -> {
            try {
                return c.awaitRoom();
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
        });
        Thread.sleep(200);
        assertThat(room).isNotDone();
        c.give("a", 0);
        assertThat(room.get(5, TimeUnit.SECONDS)).isEqualTo(new ClaimFit(0, 0));
    }
}

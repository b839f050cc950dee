package io.drover.controller.load;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The load scenario, small (the full one is scripts/bench/cluster-load.sh): 20 simulated agents
 * over the real HTTP API, half on each of 2 clustered controllers sharing one store, 1,000 tasks
 * over 4 queues and 3 priorities created while the agents claim. Every task must be claimed and
 * completed exactly once by the agents' ledger and completed on its first attempt in the store.
 */
class ClusterLoadTest {
    @TempDir
    Path dir;

    @Test
    void everyTaskRunsExactlyOnceAcrossTwoClusteredControllers() throws Exception {
        LoadPlan plan = LoadPlan.small();
        List<String> log = new ArrayList<>();
        LoadResult r = LoadRun.run("test", plan, 2, "h2-memory", dir, log::add);
        System.out.println(r.summary());

        assertThat(r.timedOut()).as("all %d tasks completed within %s: %s", plan.tasks(), plan.timeout(), log).isFalse();
        assertThat(r.created()).as("tasks created through the API").isEqualTo(plan.tasks());
        assertThat(r.errors()).as("unexpected answers: %s", r.firstErrors()).isZero();
        // the agents' side: each task claimed once and completed once, none lost
        assertThat(r.duplicates()).as("tasks claimed or completed more than once").isZero();
        assertThat(r.lost()).as("tasks never completed (or claimed but never created)").isZero();
        assertThat(r.claims()).as("successful claims").isEqualTo(plan.tasks());
        assertThat(r.completed()).isEqualTo(plan.tasks());
        assertThat(r.staleLeases()).as("finishes refused as stale (a lease given away mid-run)").isZero();
        // the store's side: every task completed on its first attempt, nothing queued or running, nothing extra
        assertThat(r.store().byStatus()).as("tasks by status in the store").isEqualTo(Map.of("completed", plan.tasks()));
        // attempt 2 only after a claim whose answer was lost (503 / connection failure): that lease expired unseen
        assertThat(r.store().notFirstTry()).as("completed tasks with execution.attempt != 1")
                .isLessThanOrEqualTo(r.unansweredClaims());
        assertThat(r.store().missing()).isZero();
        assertThat(r.store().unexpected()).isZero();
        assertThat(r.exactlyOnce()).isTrue();
        // the figures exist (the bench reports them; a test machine's speed is not asserted)
        assertThat(r.claimP50Ms()).isPositive();
        assertThat(r.claimP99Ms()).isGreaterThanOrEqualTo(r.claimP50Ms());
        assertThat(r.waitMillisP50()).containsOnlyKeys(plan.priorities().toArray(Integer[]::new));
        // higher priority waits less when a backlog forms; when it does not, all wait about alike (hence the slack)
        assertThat(r.priorityOrderHeld(250)).as("highest priority's median wait <= lowest's + 250 ms: %s", r.waitMillisP50()).isTrue();
    }
}

package io.drover.agent.faults;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.drover.agent.Agent;
import io.drover.agent.testutil.Procs;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 6, "faults that must lose nothing": {@code kill -9} of an agent process mid-task. Its task
 * process must end with it, the lease must expire, and the task must be requeued and completed by
 * another agent (or failed with "worker lost" when it has no retries left), with the console lines
 * it printed before the crash kept.
 */
class AgentKillTest {
    @TempDir
    static Path tmp;

    static FaultRig rig;

    @BeforeAll
    static void start() throws Exception {
        rig = new FaultRig(tmp);
    }

    @AfterAll
    static void stop() {
        if (rig != null) rig.close();
    }

    @Test
    void killedAgentsTaskIsRequeuedAndCompletedByAnotherAgentKeepingItsLines() throws Exception {
        String queue = "kill-requeue";
        String id = rig.createTicker(queue, 2);
        Process jvm = rig.agentProcess("killed-a", queue);
        Agent second = null;
        try {
            long pid = rig.awaitTick(id, 10, Duration.ofSeconds(90));
            JsonNode running = rig.task(id);
            assertThat(running.path("status").asText()).isEqualTo("running");
            assertThat(running.path("execution").path("worker").asText()).isEqualTo("killed-a");
            assertThat(running.path("execution").path("attempt").asInt()).isEqualTo(1);
            List<String> beforeCrash = rig.texts(id);

            jvm.destroyForcibly(); // SIGKILL: no shutdown hook, no release
            assertThat(jvm.waitFor(10, TimeUnit.SECONDS)).isTrue();
            Instant killedAt = Instant.now();
            assertThat(Procs.awaitGone(pid, Duration.ofSeconds(5))).as("task process %s ends with its agent", pid).isTrue();

            // nobody else serves the queue yet: only the lease watchdog can move the task on
            JsonNode requeued = rig.awaitTask(id, t -> !t.path("status").asText().equals("running"), "left running",
                    FaultRig.LEASE.plusSeconds(15));
            Duration toRequeue = Duration.between(killedAt, Instant.now());
            assertThat(requeued.path("status").asText()).as(requeued.toPrettyString()).isEqualTo("queued");
            assertThat(toRequeue).as("the lease (%s) expired, not something sooner", FaultRig.LEASE)
                    .isGreaterThan(Duration.ofSeconds(2));

            second = rig.agent("killed-b", queue, rig.controller.baseUrl());
            JsonNode done = rig.awaitStatus(id, "completed", Duration.ofSeconds(60));
            assertThat(done.path("execution").path("worker").asText()).isEqualTo("killed-b");
            assertThat(done.path("execution").path("attempt").asInt()).isEqualTo(2);

            List<String> after = rig.texts(id);
            assertThat(after).as("every line stored before the crash is kept, in order").containsSubsequence(beforeCrash);
            assertThat(after).anyMatch(s -> s.contains("on agent killed-a (attempt 1)"));
            assertThat(after).anyMatch(s -> s.startsWith("second run pid"));
            List<Integer> ticks = rig.ticks(id, pid);
            assertThat(ticks).as("the first attempt's lines have no gaps").isEqualTo(IntStream.range(0, ticks.size()).boxed().toList());
            assertThat(ticks.size()).isGreaterThan(10);
        } finally {
            jvm.destroyForcibly();
            if (second != null) second.close();
        }
    }

    @Test
    void killedAgentsTaskWithoutRetriesFailsAsWorkerLostKeepingItsLines() throws Exception {
        String queue = "kill-lost";
        String id = rig.createTicker(queue, 0);
        Process jvm = rig.agentProcess("lost-a", queue);
        try {
            long pid = rig.awaitTick(id, 5, Duration.ofSeconds(90));
            List<String> beforeCrash = rig.texts(id);

            jvm.destroyForcibly();
            assertThat(jvm.waitFor(10, TimeUnit.SECONDS)).isTrue();
            assertThat(Procs.awaitGone(pid, Duration.ofSeconds(5))).as("task process %s ends with its agent", pid).isTrue();

            JsonNode failed = rig.awaitTask(id, t -> !t.path("status").asText().equals("running"), "left running",
                    FaultRig.LEASE.plusSeconds(15));
            assertThat(failed.path("status").asText()).as(failed.toPrettyString()).isEqualTo("failed");
            assertThat(failed.path("statusReason").asText()).isEqualTo("worker lost");
            assertThat(failed.path("execution").path("attempt").asInt()).isEqualTo(1);

            List<String> after = rig.texts(id);
            assertThat(after).containsSubsequence(beforeCrash);
            List<Integer> ticks = rig.ticks(id, pid);
            assertThat(ticks).isEqualTo(IntStream.range(0, ticks.size()).boxed().toList());
            assertThat(ticks.size()).isGreaterThan(5);
        } finally {
            jvm.destroyForcibly();
        }
    }
}

package io.drover.agent.faults;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.drover.agent.Agent;
import io.drover.agent.testutil.Procs;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.regex.Matcher;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 6, "faults that must lose nothing": an agent cut off from the controller (a TCP proxy
 * between them drops every connection) while its task runs. The lease expires and the task moves
 * on without it; when the network comes back, the lease fencing refuses the agent's late writes
 * (403 for the replaced lease token, 409 for a stale epoch), the agent stops its task process and
 * writes nothing more, and the task keeps the state the lease's new holder (or the watchdog) gave it.
 *
 * <p>Today the cut-off agent does not stop a task whose lease it could not renew: its process runs
 * on until the network returns, alongside the new attempt. The tests allow an agent that stops it
 * sooner (they check the refusal only when the process was still running at the restore).
 */
class PartitionedAgentTest {
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
    void agentBackFromAPartitionAbandonsTheTaskAnotherAgentCompleted() throws Exception {
        String queue = "partition-requeue";
        try (TcpProxy proxy = new TcpProxy(rig.controllerPort())) {
            Agent cutOff = rig.agent("cut-a", queue, proxy.url());
            Agent other = null;
            try {
                String id = rig.createTicker(queue, 2);
                long pid = rig.awaitTick(id, 5, Duration.ofSeconds(60));
                assertThat(proxy.responses(200)).as("the proxy sees the controller's answers").isPositive();

                proxy.cut();
                Instant cutAt = Instant.now();
                other = rig.agent("cut-b", queue, rig.controller.baseUrl());
                JsonNode done = rig.awaitStatus(id, "completed", Duration.ofSeconds(60));
                assertThat(done.path("execution").path("worker").asText()).isEqualTo("cut-b");
                assertThat(done.path("execution").path("attempt").asInt()).isEqualTo(2);

                boolean ranThroughThePartition = Procs.alive(pid); // two attempts ran at once until now
                proxy.forgetAnswers();
                proxy.restore();
                assertThat(Procs.awaitGone(pid, Duration.ofSeconds(20)))
                        .as("the partitioned agent stops its task process (alive at restore: %s)", ranThroughThePartition).isTrue();
                awaitNoTasks(cutOff, Duration.ofSeconds(20));
                // fenced either way: a late write answered 409, or the heartbeat's "stale" list named the task
                if (ranThroughThePartition) {
                    awaitFenced(proxy, () -> refusals(proxy) > 0
                            || proxy.answered("\"stale\"\\s*:\\s*\\[[^\\]]*\"" + id + "\""), Duration.ofSeconds(20));
                }

                Thread.sleep(1500); // room for any late write to land, were one let through
                assertFinalStateKept(rig.task(id), done);
                assertNoLineAfter(id, pid, cutAt);
                assertThat(rig.texts(id)).anyMatch(s -> s.startsWith("second run pid"));
            } finally {
                if (other != null) other.close();
                cutOff.close();
            }
        }
    }

    @Test
    void lateFinishOfAPartitionedAgentIsRefusedAndTheWorkerLostFailureStays() throws Exception {
        String queue = "partition-lost";
        try (TcpProxy proxy = new TcpProxy(rig.controllerPort())) {
            Agent cutOff = rig.agent("lost-a", queue, proxy.url());
            try {
                String id = rig.createTicker(queue, 0);
                long pid = rig.awaitTick(id, 5, Duration.ofSeconds(60));

                proxy.cut();
                Instant cutAt = Instant.now();
                JsonNode failed = rig.awaitTask(id, t -> !t.path("status").asText().equals("running"), "left running",
                        FaultRig.LEASE.plusSeconds(15));
                assertThat(failed.path("status").asText()).as(failed.toPrettyString()).isEqualTo("failed");
                assertThat(failed.path("statusReason").asText()).isEqualTo("worker lost");

                // the cut-off task now ends by itself, successfully: its agent has a "completed" to report, late
                assertThat(Procs.alive(pid)).as("the task ran on through the partition").isTrue();
                rig.stopTicker(queue);
                assertThat(Procs.awaitGone(pid, Duration.ofSeconds(10))).isTrue();
                // time for the agent to see the exit and start reporting it (it retries while the network is down)
                Thread.sleep(5000);
                int refusedBefore = refusals(proxy);
                proxy.restore();
                awaitFenced(proxy, () -> refusals(proxy) > refusedBefore, Duration.ofSeconds(40));
                awaitNoTasks(cutOff, Duration.ofSeconds(40));

                Thread.sleep(1500);
                JsonNode now = rig.task(id);
                assertThat(now.path("execution").path("exitCode").isMissingNode() || now.path("execution").path("exitCode").isNull())
                        .as("no exit code from the late finish: %s", now).isTrue();
                assertFinalStateKept(now, failed);
                assertNoLineAfter(id, pid, cutAt);
            } finally {
                cutOff.close();
            }
        }
    }

    static void awaitNoTasks(Agent agent, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (agent.runningTasks() > 0 && System.nanoTime() < deadline) Thread.sleep(100);
        assertThat(agent.runningTasks()).as("agent %s let go of its task", agent.name()).isZero();
    }

    /**
     * Late writes refused: 409 {@code stale_lease} for an old epoch, or 403 when the write's lease
     * token is no longer the task's (docs/API.md, "Lease token"; the controller checks it first).
     */
    static int refusals(TcpProxy proxy) {
        return proxy.responses(409) + proxy.responses(403);
    }

    /** Waits until the controller has fenced the partitioned agent off, as {@code fenced} sees it through the proxy. */
    static void awaitFenced(TcpProxy proxy, java.util.function.BooleanSupplier fenced, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!fenced.getAsBoolean() && System.nanoTime() < deadline) Thread.sleep(100);
        assertThat(fenced.getAsBoolean()).as("the controller refused the partitioned agent's late writes (409s so far: %s, 403s: %s)",
                proxy.responses(409), proxy.responses(403)).isTrue();
    }

    static void assertFinalStateKept(JsonNode now, JsonNode then) {
        assertThat(now.path("status").asText()).isEqualTo(then.path("status").asText());
        assertThat(now.path("statusReason")).isEqualTo(then.path("statusReason"));
        assertThat(now.path("execution")).as("the task's execution is the one it had before the agent came back")
                .isEqualTo(then.path("execution"));
        assertThat(now.path("artifacts")).isEqualTo(then.path("artifacts"));
    }

    /** No line the cut-off process printed after the cut was stored: those could only arrive late, with the old epoch. */
    static void assertNoLineAfter(String id, long pid, Instant cutAt) {
        for (JsonNode l : rig.logs(id)) {
            Matcher m = FaultRig.TICK.matcher(l.path("text").asText());
            if (m.matches() && Long.parseLong(m.group(2)) == pid) {
                assertThat(Instant.parse(l.path("ts").asText())).as("line %s", l).isBefore(cutAt);
            }
        }
    }
}

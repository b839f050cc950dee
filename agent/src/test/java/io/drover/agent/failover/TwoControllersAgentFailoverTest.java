package io.drover.agent.failover;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.drover.agent.Agent;
import io.drover.agent.AgentConfig;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An agent given two controller URLs (two plain controllers over one store) whose first
 * controller stops while a task runs: it carries on with the second one. Its heartbeats keep the
 * running task's lease (same epoch, not requeued, completes), its log lines keep arriving with no
 * gap, and it claims and runs the next task there.
 */
class TwoControllersAgentFailoverTest {
    @TempDir
    static Path tmp;

    static TwoControllers rig;

    @BeforeAll
    static void start() throws Exception {
        rig = new TwoControllers(tmp);
    }

    @AfterAll
    static void stop() {
        if (rig != null) rig.close();
    }

    @Test
    void agentCarriesOnWithTheSecondControllerWhenTheFirstStops() throws Exception {
        String queue = "failover";
        try (Agent agent = Agent.start(AgentConfig.of(rig.urls(), tmp.resolve("agent")).withName("fo-agent")
                .withQueues(List.of(queue)).withGrace(Duration.ofSeconds(2)).withApiKey(rig.boot.agentKey()))) {
            assertThat(agent.awaitRegistered(Duration.ofSeconds(30))).isTrue();
            String running = rig.createTicker(queue, "first");
            rig.awaitTick(running, 5, Duration.ofSeconds(40));
            JsonNode before = rig.task(running);
            assertThat(before.path("status").asText()).isEqualTo("running");
            long epoch = before.path("lease").path("epoch").asLong();
            assertThat(epoch).isPositive();
            rig.stopA();
            Instant stoppedAt = Instant.now();
            Instant seen = null;
            while (seen == null && Duration.between(stoppedAt, Instant.now()).toSeconds() < 10) {
                Instant s = rig.lastSeen("fo-agent");
                if (s != null && s.isAfter(stoppedAt)) seen = Instant.now();
                else Thread.sleep(50);
            }
            assertThat(seen).as("the agent reached the second controller").isNotNull();
            System.out.println("[failover] controller stopped -> agent seen on the other one: "
                    + Duration.between(stoppedAt, seen).toMillis() + " ms");

            // Enqueued through the second controller: plain controllers over one store do not see each
            // other's enqueues (clustered ones do, over the event bus). It waits: one task at a time.
            String queued = rig.createTicker(queue, "second");

            // longer than a lease: only the heartbeats through the second controller keep it
            Thread.sleep(TwoControllers.LEASE.plusSeconds(2).toMillis());
            JsonNode during = rig.task(running);
            assertThat(during.path("status").asText()).as(during.toPrettyString()).isEqualTo("running");
            assertThat(during.path("lease").path("epoch").asLong()).as("same lease").isEqualTo(epoch);
            assertThat(during.path("execution").path("attempt").asInt()).isEqualTo(1);
            assertThat(rig.task(queued).path("status").asText()).isEqualTo("queued");

            rig.stop("first");
            JsonNode done = rig.awaitStatus(running, "completed", Duration.ofSeconds(20));
            assertThat(done.path("execution").path("attempt").asInt()).isEqualTo(1);
            List<Integer> ticks = rig.ticks(running);
            assertThat(ticks).as("every line, before and after the switch, stored once and in order")
                    .isEqualTo(IntStream.range(0, ticks.size()).boxed().toList());
            assertThat(ticks.size()).as("lines shipped through the second controller").isGreaterThan(60);

            // the next task is claimed through the second controller, once
            rig.stop("second");
            JsonNode next = rig.awaitStatus(queued, "completed", Duration.ofSeconds(30));
            assertThat(next.path("execution").path("worker").asText()).isEqualTo("fo-agent");
            assertThat(next.path("execution").path("attempt").asInt()).isEqualTo(1);
            assertThat(rig.texts(queued)).contains("done");
        }
    }
}

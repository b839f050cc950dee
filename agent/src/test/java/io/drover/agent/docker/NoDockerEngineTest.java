package io.drover.agent.docker;

import static org.assertj.core.api.Assertions.assertThat;

import io.drover.controller.Controller;
import io.drover.controller.config.ControllerConfig;
import java.net.ServerSocket;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * On a box without Docker the agent's start-up clean-up of leftover task containers skips
 * quietly: a plain connect finds no engine, and docker-java's HTTP client (whose retries log
 * "recoverable I/O exception ... will be automatically re-executed" at INFO) is never started.
 */
@Timeout(90)
class NoDockerEngineTest {
    @TempDir
    Path tmp;

    @Test
    void theProbeTellsAMissingOrRefusingSocketFromALiveOne() throws Exception {
        assertThat(EngineProbe.unreachable("unix://" + tmp.resolve("absent/docker.sock"))).get().asString()
                .contains("no socket at");
        // a socket file nobody listens on any more (a stopped daemon leaves it behind)
        Path stale = tmp.resolve("stale.sock");
        try (ServerSocketChannel s = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            s.bind(UnixDomainSocketAddress.of(stale));
        }
        assertThat(stale).exists();
        assertThat(EngineProbe.unreachable("unix://" + stale)).get().asString().contains("refuses connections");
        Path live = tmp.resolve("live.sock");
        try (ServerSocketChannel s = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            s.bind(UnixDomainSocketAddress.of(live));
            assertThat(EngineProbe.unreachable("unix://" + live)).isEmpty();
        }
        int closedPort;
        try (ServerSocket s = new ServerSocket(0)) {
            closedPort = s.getLocalPort();
            assertThat(EngineProbe.unreachable("tcp://127.0.0.1:" + closedPort)).isEmpty();
        }
        assertThat(EngineProbe.unreachable("tcp://127.0.0.1:" + closedPort)).get().asString().contains("does not accept connections");
        assertThat(DockerEngine.hostFor(null, null)).isEqualTo(DockerEngine.DEFAULT_HOST);
        assertThat(DockerEngine.hostFor(null, "tcp://h:1")).isEqualTo("tcp://h:1");
        assertThat(DockerEngine.hostFor("unix:///x.sock", "tcp://h:1")).isEqualTo("unix:///x.sock");
    }

    @Test
    void anAgentWithDockerHostAtAMissingSocketStartsWithoutRetryChatter() throws Exception {
        try (Controller controller = Controller.start(ControllerConfig.defaults().withPort(0).withDataDir(tmp.resolve("data"))
                .withHeartbeat(Duration.ofSeconds(1)).withAuth(false))) {
            String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
            Path log = tmp.resolve("agent.log");
            ProcessBuilder pb = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"),
                    "io.drover.agent.cli.DroverCli", "agent", "--controller", controller.baseUrl(), "--queue", "quiet",
                    "--name", "quiet", "--work-dir", tmp.resolve("agent").toString(), "--grace-seconds", "1")
                    .redirectErrorStream(true).redirectOutput(log.toFile());
            pb.environment().put("DROVER_HOME", tmp.resolve("home").toString());
            pb.environment().remove("DROVER_API_KEY");
            pb.environment().put("DOCKER_HOST", "unix://" + tmp.resolve("no-such-dir/docker.sock"));
            Process agent = pb.start();
            try {
                long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
                while (!Files.readString(log).contains("registered at") && System.nanoTime() < deadline) {
                    assertThat(agent.isAlive()).as("agent exited early: %s", Files.readString(log)).isTrue();
                    Thread.sleep(100);
                }
                assertThat(Files.readString(log)).contains("registered at");
                Thread.sleep(3000); // the clean-up runs in the background at start: give it time to (not) speak
            } finally {
                agent.destroy();
                if (!agent.waitFor(20, TimeUnit.SECONDS)) agent.destroyForcibly();
            }
            String out = Files.readString(log);
            assertThat(out).as(out).doesNotContain("recoverable I/O exception").doesNotContain("HttpRequestRetryExec")
                    .doesNotContain("leftover task containers").doesNotContainIgnoringCase("docker");
        }
    }
}

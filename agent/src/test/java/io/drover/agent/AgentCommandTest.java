package io.drover.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.drover.agent.config.ClientConfig;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

class AgentCommandTest {
    @Test
    void parsesTheDocumentedOptions() {
        AgentCommand c = new AgentCommand();
        new CommandLine(c).parseArgs("--controller", "http://h:1", "--api-key", "k1", "--queue", "gpu", "--queue", "cpu", "--order-fairness",
                "--name", "box-1", "--work-dir", "/tmp/w", "--drain-on-stop", "--python", "python3.11", "--grace-seconds", "3");
        assertThat(c.controller).isEqualTo("http://h:1");
        assertThat(c.apiKey).isEqualTo("k1");
        assertThat(c.queues).containsExactly("gpu", "cpu");
        assertThat(c.orderFairness).isTrue();
        assertThat(c.name).isEqualTo("box-1");
        assertThat(c.workDir).isEqualTo(Path.of("/tmp/w"));
        assertThat(c.drainOnStop).isTrue();
        assertThat(c.python).isEqualTo("python3.11");
        assertThat(c.graceSeconds).isEqualTo(3);
    }

    @Test
    void defaults() {
        AgentCommand c = new AgentCommand();
        new CommandLine(c).parseArgs();
        assertThat(c.queues).isEmpty();
        assertThat(c.python).isEqualTo("python3");
        assertThat(c.graceSeconds).isEqualTo(10);
        AgentConfig cfg = AgentConfig.of("http://h:1", Path.of("/tmp/w"));
        assertThat(cfg.queues()).containsExactly("default");
        assertThat(cfg.grace()).isEqualTo(Duration.ofSeconds(10));
        assertThat(cfg.claimWaitSeconds()).isEqualTo(20);
        assertThat(cfg.name()).matches("[A-Za-z0-9][A-Za-z0-9._-]*-[0-9a-f]{4}");
        assertThat(AgentConfig.of("http://h:1", Path.of("/tmp/w")).name()).as("stable across restarts").isEqualTo(cfg.name());
        assertThat(AgentConfig.of("http://h:1", Path.of("/tmp/other")).name()).isNotEqualTo(cfg.name());
        assertThat(new AgentConfig("http://h", List.of(), false, null, null, false, null, null, 0, null, null).workDir())
                .isEqualTo(ClientConfig.home(System.getenv()).resolve("agent").toAbsolutePath());
    }

    @Test
    void aMissingControllerUrlSaysWhereToSetIt() {
        assertThatThrownBy(() -> AgentConfig.of(" ", Path.of("/tmp/w")))
                .hasMessageContaining("--controller").hasMessageContaining("DROVER_CONTROLLER");
        assertThat(ClientConfig.controller("http://flag:1", java.util.Map.of()).value()).isEqualTo("http://flag:1");
    }
}

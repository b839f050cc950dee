package io.drover.agent;

import static org.assertj.core.api.Assertions.assertThat;

import io.drover.agent.env.EnvCacheConfig;
import java.io.PrintStream;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** {@code drover agent --env-cache-max N --env-cache-min-free-mb M} and the typed config they become. */
class AgentEnvCacheOptionsTest {
    @Test
    void theFlagsAndTheirDefaults() {
        AgentCommand c = new AgentCommand();
        new CommandLine(c).parseArgs("--env-cache-max", "3", "--env-cache-min-free-mb", "512");
        assertThat(c.envCacheMax).isEqualTo(3);
        assertThat(c.envCacheMinFreeMb).isEqualTo(512);
        AgentCommand d = new AgentCommand();
        new CommandLine(d).parseArgs();
        assertThat(d.envCacheMax).isEqualTo(EnvCacheConfig.DEFAULT_MAX_ENTRIES);
        assertThat(d.envCacheMinFreeMb).isEqualTo(EnvCacheConfig.DEFAULT_MIN_FREE_MB);
        AgentConfig cfg = AgentConfig.of("http://h:1", Path.of("/tmp/w"));
        assertThat(cfg.envCache()).isEqualTo(EnvCacheConfig.defaults());
        assertThat(cfg.withEnvCache(new EnvCacheConfig(2, 0)).withName("x").envCache()).isEqualTo(new EnvCacheConfig(2, 0));
    }

    @Test
    void aBadValueStopsTheAgentWithTheFlagsName() {
        PrintStream err = System.err;
        java.io.ByteArrayOutputStream buf = new java.io.ByteArrayOutputStream();
        System.setErr(new PrintStream(buf, true));
        int code;
        try {
            code = new CommandLine(new AgentCommand()).execute("--controller", "http://127.0.0.1:1", "--env-cache-max", "0");
        } finally {
            System.setErr(err);
        }
        assertThat(code).isEqualTo(2);
        assertThat(buf.toString()).contains("--env-cache-max must be at least 1");
    }
}

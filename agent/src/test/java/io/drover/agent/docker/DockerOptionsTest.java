package io.drover.agent.docker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

class DockerOptionsTest {
    @Command(name = "agent")
    static final class Cmd {
        @Mixin
        DockerOptions docker = new DockerOptions();
    }

    static DockerSettings parse(String... args) {
        Cmd c = new Cmd();
        new CommandLine(c).parseArgs(args);
        return c.docker.settings();
    }

    @Test
    void theAgentFlagsBecomeTheSettings() {
        DockerSettings s = parse("--docker-image", "python:3.12", "--docker-host", "unix:///tmp/d.sock", "--docker-memory", "16g",
                "--docker-cpus", "4", "--docker-volume-prefix", "/data/sets", "--docker-volume-prefix", "/data/../models");
        assertThat(s).isEqualTo(new DockerSettings("python:3.12", "unix:///tmp/d.sock", 16L << 30, 4.0,
                List.of(Path.of("/data/sets"), Path.of("/models")), "host"));
        assertThat(parse()).isEqualTo(DockerSettings.defaults());
    }

    @Test
    void aBadValueNamesTheFlag() {
        assertThatThrownBy(() -> parse("--docker-memory", "lots")).hasMessageContaining("--docker-memory 'lots' is not a size");
        assertThatThrownBy(() -> parse("--docker-cpus", "0")).hasMessageContaining("--docker-cpus must be above zero");
    }
}

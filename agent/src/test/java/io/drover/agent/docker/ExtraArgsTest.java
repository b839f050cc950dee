package io.drover.agent.docker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ExtraArgsTest {
    private static final List<Path> PREFIXES = List.of(Path.of("/data/shared"));

    @Test
    void whitelistedArgumentsParseInBothForms() {
        ExtraArgs a = ExtraArgs.parse(List.of("--shm-size=1g", "--ipc", "host", "-e", "FOO=bar", "--env=BAZ=q=x",
                "-v", "/data/shared/sets:/sets:ro", "--tmpfs=/scratch:size=64m", "--ulimit", "memlock=-1:-1",
                "--user=1000:1000", "--network", "none", "--init"), PREFIXES);
        assertThat(a.shmSize()).isEqualTo(1L << 30);
        assertThat(a.ipcMode()).isEqualTo("host");
        assertThat(a.env()).isEqualTo(Map.of("FOO", "bar", "BAZ", "q=x"));
        assertThat(a.volumes()).containsExactly(new ExtraArgs.Volume(Path.of("/data/shared/sets"), "/sets", true));
        assertThat(a.tmpfs()).isEqualTo(Map.of("/scratch", "size=64m"));
        assertThat(a.ulimits()).containsExactly(new ExtraArgs.Ulimit("memlock", -1, -1));
        assertThat(a.user()).isEqualTo("1000:1000");
        assertThat(a.network()).isEqualTo("none");
        assertThat(a.init()).isTrue();
    }

    @Test
    void anElementWithSpacesIsSplitLikeAShellWouldWithoutRunningOne() {
        ExtraArgs a = ExtraArgs.parse(List.of("--shm-size 512m --ipc=private"), PREFIXES);
        assertThat(a.shmSize()).isEqualTo(512L << 20);
        assertThat(a.ipcMode()).isEqualTo("private");
    }

    @Test
    void everythingElseIsRefusedWithTheReason() {
        for (String bad : List.of("--privileged", "--cap-add=SYS_ADMIN", "--device=/dev/sda", "--pid=host", "--gpus=all",
                "--security-opt=seccomp=unconfined", "--memory=100g", "--entrypoint=/bin/sh", "--mount=type=bind,src=/,dst=/h")) {
            assertThatThrownBy(() -> ExtraArgs.parse(List.of(bad), PREFIXES))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("is not allowed for tasks").hasMessageContaining("--shm-size");
        }
        assertThatThrownBy(() -> ExtraArgs.parse(List.of("-v", "/etc:/host-etc"), PREFIXES))
                .hasMessageContaining("outside the folders this agent lets tasks mount").hasMessageContaining("--docker-volume-prefix");
        assertThatThrownBy(() -> ExtraArgs.parse(List.of("-v", "/data/shared/../../etc:/x"), PREFIXES))
                .hasMessageContaining("outside");
        assertThatThrownBy(() -> ExtraArgs.parse(List.of("-v", "named:/x"), PREFIXES)).hasMessageContaining("named volumes");
        assertThatThrownBy(() -> ExtraArgs.parse(List.of("-e", "DROVER_TASK_TOKEN=x"), PREFIXES)).hasMessageContaining("Drover sets it");
        assertThatThrownBy(() -> ExtraArgs.parse(List.of("-e", "CUDA_VISIBLE_DEVICES=0"), PREFIXES)).hasMessageContaining("Drover sets it");
        assertThatThrownBy(() -> ExtraArgs.parse(List.of("--ipc=container:abc"), PREFIXES)).hasMessageContaining("--ipc");
        assertThatThrownBy(() -> ExtraArgs.parse(List.of("--network=container:abc"), PREFIXES)).hasMessageContaining("--network");
        assertThatThrownBy(() -> ExtraArgs.parse(List.of("--shm-size"), PREFIXES)).hasMessageContaining("needs a value");
        assertThatThrownBy(() -> ExtraArgs.parse(List.of("--shm-size=lots"), PREFIXES)).hasMessageContaining("is not a size");
        assertThatThrownBy(() -> ExtraArgs.parse(List.of("sh"), PREFIXES)).hasMessageContaining("is not a docker option");
    }

    @Test
    void theTaskContainerFieldOrTheAgentDefaultNamesTheImage() {
        var task = io.drover.shared.json.Json.parse("""
                {"container": {"image": "pytorch/pytorch:2.4", "args": ["--shm-size=1g"], "pullPolicy": "never"}}""");
        ContainerRequest r = ContainerRequest.of(task, "python:3.12");
        assertThat(r).isEqualTo(new ContainerRequest("pytorch/pytorch:2.4", List.of("--shm-size=1g"), PullPolicy.NEVER));
        assertThat(ContainerRequest.of(io.drover.shared.json.Json.parse("{\"container\":null}"), "python:3.12"))
                .isEqualTo(new ContainerRequest("python:3.12", List.of(), PullPolicy.MISSING));
        assertThat(ContainerRequest.of(io.drover.shared.json.Json.parse("{}"), null)).isNull();
        assertThatThrownBy(() -> ContainerRequest.of(io.drover.shared.json.Json.parse(
                "{\"container\":{\"image\":\"x\",\"pullPolicy\":\"sometimes\"}}"), null))
                .hasMessageContaining("not one of missing, always, never");
    }
}

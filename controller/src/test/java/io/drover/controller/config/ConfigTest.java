package io.drover.controller.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.drover.shared.json.Json;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class ConfigTest {
    @TempDir
    Path dir;

    @Test
    void defaultsThenEnvironmentThenFlags() {
        ControllerConfig d = ControllerConfig.defaults();
        assertThat(d.host()).isEqualTo("127.0.0.1");
        assertThat(d.port()).isEqualTo(8080);
        assertThat(d.dataDir()).isEqualTo(Path.of("drover-data"));
        ControllerConfig env = ControllerConfig.fromEnv(Map.of("DROVER_PORT", "9000", "DROVER_LEASE_SECONDS", "60",
                "DROVER_MONGO_URI", "mongodb://u:secret@db:27017/drover"));
        assertThat(env.port()).isEqualTo(9000);
        assertThat(env.lease()).isEqualTo(Duration.ofSeconds(60));
        assertThat(env.describe()).contains("mongodb://u:****@db:27017/drover").doesNotContain("secret");
        assertThatThrownBy(() -> ControllerConfig.fromEnv(Map.of("DROVER_PORT", "eighty")))
                .hasMessageContaining("DROVER_PORT='eighty'");
        assertThatThrownBy(() -> d.withLease(Duration.ofSeconds(5)).validated()).hasMessageContaining("heartbeat");
    }

    @Test
    void flagsOverrideTheEnvironment() {
        var main = new io.drover.controller.ControllerMain();
        new CommandLine(main).parseArgs("--port", "0", "--lease-seconds", "2", "--heartbeat-seconds", "1", "--data", dir.toString());
        ControllerConfig c = main.config().validated();
        assertThat(c.port()).isZero();
        assertThat(c.lease()).isEqualTo(Duration.ofSeconds(2));
        assertThat(c.heartbeat()).isEqualTo(Duration.ofSeconds(1));
        assertThat(c.dataDir()).isEqualTo(dir);
    }

    @Test
    void clientConfigIsMergedAndPrivate() throws Exception {
        Path file = ClientConfigFile.location(Map.of("DROVER_HOME", dir.resolve("home").toString()));
        assertThat(file).isEqualTo(dir.resolve("home/config.json"));
        Files.createDirectories(file.getParent());
        Files.writeString(file, "{\"token\":\"abc\",\"controller\":\"http://old:1\"}");
        ClientConfigFile.writeController(file, "http://127.0.0.1:8080");
        var json = Json.parse(Files.readString(file));
        assertThat(json.path("controller").asText()).isEqualTo("http://127.0.0.1:8080");
        assertThat(json.path("token").asText()).isEqualTo("abc");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).isEqualTo("rw-------");
    }
}

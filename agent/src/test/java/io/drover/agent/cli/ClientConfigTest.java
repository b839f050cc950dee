package io.drover.agent.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.drover.shared.domain.DroverException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ClientConfigTest {
    @TempDir
    Path home;

    @Test
    void flagBeatsEnvironmentBeatsConfigFileBeatsDefault() throws Exception {
        Files.writeString(home.resolve("config.json"), "{\"controller\":\"http://from-file:1\",\"apiKey\":\"k-file\"}");
        Map<String, String> env = Map.of("DROVER_HOME", home.toString(), "DROVER_CONTROLLER", "http://from-env:2/");

        assertThat(ClientConfig.controller("http://from-flag:3", env))
                .isEqualTo(new ClientConfig.Resolved("http://from-flag:3", "--controller"));
        assertThat(ClientConfig.controller(null, env).value()).isEqualTo("http://from-env:2");
        Map<String, String> noEnv = Map.of("DROVER_HOME", home.toString());
        assertThat(ClientConfig.controller(null, noEnv))
                .isEqualTo(new ClientConfig.Resolved("http://from-file:1", home.resolve("config.json").toString()));
        assertThat(ClientConfig.apiKey(null, noEnv)).isEqualTo("k-file");
        assertThat(ClientConfig.apiKey("k-flag", noEnv)).isEqualTo("k-flag");

        Files.delete(home.resolve("config.json"));
        assertThat(ClientConfig.controller(null, noEnv).value()).isEqualTo(ClientConfig.DEFAULT_CONTROLLER);
        assertThat(ClientConfig.apiKey(null, noEnv)).isNull();
    }

    @Test
    void droverHomeDefaultsToDotDroverInTheUserHome() {
        assertThat(ClientConfig.configFile(Map.of()))
                .isEqualTo(Path.of(System.getProperty("user.home"), ".drover", "config.json"));
    }

    @Test
    void badUrlsAndBrokenConfigFilesSayWhereTheyCameFrom() throws Exception {
        Map<String, String> env = Map.of("DROVER_HOME", home.toString(), "DROVER_CONTROLLER", "localhost:8080");
        assertThatThrownBy(() -> ClientConfig.controller(null, env))
                .isInstanceOf(DroverException.class).hasMessageContaining("DROVER_CONTROLLER").hasMessageContaining("http://");
        Files.writeString(home.resolve("config.json"), "{not json");
        assertThatThrownBy(() -> ClientConfig.controller(null, Map.of("DROVER_HOME", home.toString())))
                .isInstanceOf(DroverException.class).hasMessageContaining("config.json");
    }
}

package io.drover.agent.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.drover.shared.domain.DroverException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
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
        assertThat(ClientConfig.apiKey(null, Map.of("DROVER_HOME", home.toString(), "DROVER_API_KEY", "k-env"))).isEqualTo("k-env");

        Files.delete(home.resolve("config.json"));
        assertThat(ClientConfig.controller(null, noEnv).value()).isEqualTo(ClientConfig.DEFAULT_CONTROLLER);
        assertThat(ClientConfig.apiKey(null, noEnv)).isNull();
    }

    @Test
    void theAgentTakesTheWorkerKeyFromTheFileBeforeTheUsersKey() throws Exception {
        Map<String, String> env = Map.of("DROVER_HOME", home.toString());
        Files.writeString(home.resolve("config.json"), "{\"apiKey\":\"k-user\",\"agentKey\":\"k-worker\"}");
        assertThat(ClientConfig.agentKey(null, env)).isEqualTo("k-worker");
        assertThat(ClientConfig.apiKey(null, env)).as("the CLI keeps the user's key").isEqualTo("k-user");
        assertThat(ClientConfig.agentKey(null, Map.of("DROVER_HOME", home.toString(), "DROVER_API_KEY", "k-env"))).isEqualTo("k-env");
        assertThat(ClientConfig.agentKey("k-flag", env)).isEqualTo("k-flag");
        Files.writeString(home.resolve("config.json"), "{\"apiKey\":\"k-user\"}");
        assertThat(ClientConfig.agentKey(null, env)).isEqualTo("k-user");
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

    @Test
    void updatesKeepOtherKeysAndTheFileIsPrivateFromTheStart() throws Exception {
        Path file = home.resolve("sub").resolve("config.json");
        ConfigFile.update(file, o -> o.put("controller", "http://c:1"));
        ConfigFile.update(file, o -> o.put("apiKey", "k"));
        assertThat(ConfigFile.read(file).path("controller").asText()).isEqualTo("http://c:1");
        assertThat(ConfigFile.read(file).path("apiKey").asText()).isEqualTo("k");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).isEqualTo("rw-------");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file.getParent()))).isEqualTo("rwx------");
        try (var files = Files.list(file.getParent())) {
            assertThat(files).as("no temp file left behind").containsExactly(file);
        }
        ConfigFile.update(file, o -> o.remove("apiKey"));
        assertThat(ConfigFile.read(file).has("apiKey")).isFalse();
    }
}

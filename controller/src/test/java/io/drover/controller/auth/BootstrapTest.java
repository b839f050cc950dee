package io.drover.controller.auth;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.drover.controller.testing.ChildController;
import io.drover.shared.json.Json;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The real {@code drover controller} process with auth on: the first start prints the admin's
 * password once and writes the CLI's and agent's keys to the client config (0600); a restart on
 * the same data directory keeps users and keys and prints no new password.
 */
class BootstrapTest {
    @TempDir
    Path tmp;

    @Test
    void firstStartCreatesTheAdminAndRestartKeepsUsersAndKeys() throws Exception {
        Path data = tmp.resolve("data");
        Path cfg = tmp.resolve("drover-home/config.json"); // ChildController's DROVER_HOME
        String apiKey;
        String agentKey;
        try (ChildController c = ChildController.start(data, tmp.resolve("first.log"), "--auth", "on", "--write-client-config")) {
            String out = c.log();
            assertThat(out).contains("created the administrator account").contains("user:     admin").containsPattern("password: \\S{20}");
            JsonNode conf = Json.parse(Files.readString(cfg));
            apiKey = conf.path("apiKey").asText();
            agentKey = conf.path("agentKey").asText();
            assertThat(apiKey).matches("drk_[0-9a-f]{16}_[0-9a-f]{40}");
            assertThat(agentKey).matches("drk_[0-9a-f]{16}_[0-9a-f]{40}").isNotEqualTo(apiKey);
            assertThat(conf.path("controller").asText()).isEqualTo(c.url());
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(cfg))).isEqualTo("rw-------");
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(cfg.getParent()))).isEqualTo("rwx------");
            // keys go to the file only, never to the console
            assertThat(out).doesNotContain(apiKey.substring(21)).doesNotContain(agentKey.substring(21));

            JsonNode me = Caller.key(c.url(), apiKey).ok("GET", "/auth/me", null);
            assertThat(me.path("username").asText()).isEqualTo("admin");
            assertThat(me.path("admin").asBoolean()).isTrue();
            assertThat(Caller.key(c.url(), agentKey).ok("GET", "/auth/me", null).path("kind").asText()).isEqualTo("worker");
            assertThat(new Caller(c.url()).get("/tasks").status()).isEqualTo(401);
            Caller.key(c.url(), apiKey).ok("POST", "/users", Json.object().put("username", "kept").put("password", "a long enough password"));
        }
        try (ChildController c = ChildController.start(data, tmp.resolve("second.log"), "--auth", "on")) {
            assertThat(c.log()).doesNotContain("password:").doesNotContain("created the administrator");
            Caller admin = Caller.key(c.url(), apiKey);
            assertThat(admin.get("/auth/me").status()).isEqualTo(200);
            assertThat(admin.ok("GET", "/users", null).toString()).contains("\"kept\"");
            assertThat(Caller.key(c.url(), agentKey).post("/workers", Json.object().put("name", "w")
                    .set("queues", Json.MAPPER.createArrayNode().add("default"))).status()).isEqualTo(200);
            assertThat(new Caller(c.url()).post("/auth/login", Json.object().put("username", "kept").put("password", "a long enough password"))
                    .status()).isEqualTo(200);
        }
    }
}

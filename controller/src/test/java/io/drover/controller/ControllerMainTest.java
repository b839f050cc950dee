package io.drover.controller;

import static org.assertj.core.api.Assertions.assertThat;

import io.drover.controller.testing.Api;
import io.drover.controller.testing.ChildController;
import io.drover.shared.json.Json;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ControllerMainTest {
    @TempDir
    Path tmp;

    @Test
    void printsItsUrlAndWritesTheClientConfig() throws Exception {
        Path data = tmp.resolve("data");
        try (ChildController c = ChildController.start(data, tmp.resolve("main.log"), "--write-client-config")) {
            assertThat(c.url()).matches("http://127\\.0\\.0\\.1:\\d+");
            assertThat(c.log()).contains("Drover controller listening on " + c.url() + " (dashboard: " + c.url() + "/)")
                    .contains("Drover controller config: host=127.0.0.1");
            // ChildController points DROVER_HOME at a sibling of the data directory
            Path cfg = tmp.resolve("drover-home/config.json");
            assertThat(Json.parse(Files.readString(cfg)).path("controller").asText()).isEqualTo(c.url());
            assertThat(new Api(c.url()).okGet("/health").path("status").asText()).isEqualTo("ok");
        }
    }

    @Test
    void badFlagsExitWithAMessage() throws Exception {
        ChildController.Result r = ChildController.run(tmp.resolve("d"), tmp.resolve("bad.log"), "--lease-seconds", "3",
                "--heartbeat-seconds", "5");
        assertThat(r.exitCode()).isEqualTo(2);
        assertThat(r.output()).contains("heartbeat (5 s) must be shorter than the lease (3 s)");
    }
}

package io.drover.controller;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.drover.controller.config.BindSafety;
import io.drover.controller.testing.Api;
import io.drover.controller.testing.ChildController;
import io.drover.controller.testing.TestConfig;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Safe defaults: no auth means loopback only, unless --insecure (with a loud warning). */
class BindSafetyTest {
    @TempDir
    Path tmp;

    @Test
    void allInterfacesWithoutAuthFailsAtStartWithWhatToDo() throws Exception {
        ChildController.Result r = ChildController.run(tmp.resolve("d"), tmp.resolve("main.log"), "--host", "0.0.0.0", "--auth", "off");
        assertThat(r.exitCode()).isEqualTo(2);
        assertThat(r.output()).contains("refusing to listen on 0.0.0.0 with auth off")
                .contains("Enable auth (--auth on, the default)").contains("--insecure").doesNotContain("listening on http");
        assertThatThrownBy(() -> Controller.start(TestConfig.forTest(tmp.resolve("e")).withHost("0.0.0.0").withAuth(false)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("Enable auth");
    }

    @Test
    void insecureStartsAndWarnsLoudly() throws Exception {
        try (ChildController c = ChildController.start(tmp.resolve("d"), tmp.resolve("main.log"),
                "--host", "0.0.0.0", "--auth", "off", "--insecure")) {
            assertThat(c.log()).contains("WARNING: INSECURE MODE (--insecure)")
                    .contains("listens on 0.0.0.0 WITH AUTHENTICATION OFF")
                    .contains("NOTE: serving plain HTTP on 0.0.0.0");
            assertThat(new Api(c.url()).okGet("/health").path("status").asText()).isEqualTo("ok");
        }
    }

    @Test
    void loopbackWithoutAuthAndAnyAddressWithAuthAreFine() throws Exception {
        try (Controller c = Controller.start(TestConfig.forTest(tmp.resolve("a")).withAuth(false))) {
            assertThat(new Api(c.baseUrl()).okGet("/health").path("status").asText()).isEqualTo("ok");
        }
        // auth on: validated() accepts every address
        TestConfig.forTest(tmp.resolve("b")).withHost("0.0.0.0").withAuth(true).validated();
        TestConfig.forTest(tmp.resolve("c")).withHost("::").withAuth(false).withInsecure(true).validated();
        assertThatThrownBy(() -> TestConfig.forTest(tmp.resolve("c")).withHost("::").withAuth(false).validated())
                .hasMessageContaining("refusing to listen on :: with auth off");
        ChildController.Result bad = ChildController.run(tmp.resolve("x"), tmp.resolve("x.log"), "--auth", "maybe");
        assertThat(bad.exitCode()).isEqualTo(2);
        assertThat(bad.output()).contains("--auth must be 'on' or 'off', got 'maybe'");
    }

    @Test
    void loopbackMeansOnlyLoopback() {
        for (String h : new String[] {"127.0.0.1", "127.0.0.2", "localhost", "::1", "[::1]"}) {
            assertThat(BindSafety.isLoopback(h)).as(h).isTrue();
        }
        for (String h : new String[] {"0.0.0.0", "::", "10.1.2.3", "192.168.0.1", "no-such-host.invalid"}) {
            assertThat(BindSafety.isLoopback(h)).as(h).isFalse();
        }
    }
}

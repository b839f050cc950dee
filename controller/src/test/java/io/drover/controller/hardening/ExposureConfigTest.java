package io.drover.controller.hardening;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.drover.controller.ControllerMain;
import io.drover.controller.config.ControllerConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** The hardening settings: defaults, environment, flags. */
class ExposureConfigTest {
    @TempDir
    Path dir;

    @Test
    void safeDefaults() {
        ControllerConfig d = ControllerConfig.defaults();
        assertThat(d.auth()).isTrue();
        assertThat(d.exposure().insecure()).isFalse();
        assertThat(d.tlsEnabled()).isFalse();
        assertThat(d.exposure().writeRate()).isEqualTo(50);
        assertThat(d.exposure().writeBurst()).isEqualTo(200);
        assertThat(d.describe()).contains("tls=off").contains("writeRate=50.0/s burst=200").doesNotContain("insecure");
    }

    @Test
    void environmentAndFlags() throws Exception {
        Path cert = Files.writeString(dir.resolve("c.pem"), "x");
        Path key = Files.writeString(dir.resolve("k.pem"), "x");
        ControllerConfig env = ControllerConfig.fromEnv(Map.of("DROVER_TLS_CERT", cert.toString(), "DROVER_TLS_KEY", key.toString(),
                "DROVER_WRITE_RATE", "2.5", "DROVER_WRITE_BURST", "7", "DROVER_INSECURE", "true"));
        assertThat(env.validated().tlsEnabled()).isTrue();
        assertThat(env.exposure().writeRate()).isEqualTo(2.5);
        assertThat(env.exposure().writeBurst()).isEqualTo(7);
        assertThat(env.exposure().insecure()).isTrue();
        assertThatThrownBy(() -> ControllerConfig.fromEnv(Map.of("DROVER_WRITE_RATE", "fast"))).hasMessageContaining("DROVER_WRITE_RATE='fast'");
        assertThatThrownBy(() -> ControllerConfig.defaults().withWriteLimit(0, 10)).hasMessageContaining("above 0");
        assertThatThrownBy(() -> ControllerConfig.defaults().withWriteLimit(5, 0)).hasMessageContaining("burst must be at least 1");

        ControllerMain main = new ControllerMain();
        new CommandLine(main).parseArgs("--auth", "off", "--insecure", "--host", "0.0.0.0", "--tls-cert", cert.toString(),
                "--tls-key", key.toString(), "--write-rate", "9", "--write-burst", "30");
        ControllerConfig c = main.config().validated();
        assertThat(c.auth()).isFalse();
        assertThat(c.exposure().insecure()).isTrue();
        assertThat(c.exposure().tlsCert()).isEqualTo(cert);
        assertThat(c.exposure().writeRate()).isEqualTo(9);
        assertThat(c.exposure().writeBurst()).isEqualTo(30);
    }
}

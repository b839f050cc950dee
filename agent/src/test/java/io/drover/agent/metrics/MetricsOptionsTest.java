package io.drover.agent.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.ServerSocket;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** The flags: off by default, loopback by default, a taken port is a clear error. */
class MetricsOptionsTest {

    static MetricsOptions parse(String... args) {
        MetricsOptions o = new MetricsOptions();
        new CommandLine(o).parseArgs(args);
        return o;
    }

    @Test
    void offUnlessAPortIsGiven() {
        MetricsOptions o = parse();
        assertThat(o.enabled()).isFalse();
        assertThat(o.start()).isNull();
        assertThat(MetricsOptions.describe(null)).contains("metrics off");
    }

    @Test
    void loopbackByDefaultAndAnotherAddressIsSaidToBeOpen() throws Exception {
        try (MetricsServer s = parse("--metrics-port", "0").start()) {
            assertThat(s.loopback()).isTrue();
            assertThat(s.url()).startsWith("http://127.0.0.1:");
        }
        try (MetricsServer s = parse("--metrics-port", "0", "--metrics-host", "0.0.0.0").start()) {
            assertThat(s.loopback()).isFalse();
            assertThat(MetricsOptions.describe(s)).contains("no authentication");
        }
    }

    @Test
    void aTakenPortSaysWhatToDo() throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            assertThatThrownBy(() -> parse("--metrics-port", Integer.toString(taken.getLocalPort())).start())
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("cannot serve metrics on 127.0.0.1:" + taken.getLocalPort())
                    .hasMessageContaining("pick another --metrics-port");
        }
        assertThatThrownBy(() -> parse("--metrics-port", "70000").start()).hasMessageContaining("out of range");
    }
}

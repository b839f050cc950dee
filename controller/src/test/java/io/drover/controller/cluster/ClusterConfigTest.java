package io.drover.controller.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.drover.controller.ControllerMain;
import io.drover.controller.config.ClusterConfig;
import io.drover.controller.config.ControllerConfig;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** The cluster flags and environment variables, and the errors a user gets for bad ones. */
class ClusterConfigTest {
    private static final String MONGO = "mongodb://127.0.0.1:27017";

    private static ControllerConfig parse(String... args) {
        ControllerMain main = new ControllerMain();
        new CommandLine(main).parseArgs(args);
        return main.config();
    }

    @Test
    void offByDefault() {
        ControllerConfig c = ControllerConfig.defaults();
        assertThat(c.cluster().enabled()).isFalse();
        assertThat(c.cluster().host()).isEqualTo("127.0.0.1");
        assertThat(c.cluster().port()).isEqualTo(5701);
        c.validated(); // no store needed when off
        assertThat(c.describe()).doesNotContain("cluster");
    }

    @Test
    void flagsFillTheClusterConfig() {
        ControllerConfig c = parse("--mongo-uri", MONGO, "--cluster", "--cluster-members", "10.0.0.1:5701, 10.0.0.2:5702,[::1]:5703",
                "--cluster-host", "10.0.0.1", "--cluster-port", "5701").validated();
        assertThat(c.cluster()).isEqualTo(new ClusterConfig(true, List.of("10.0.0.1:5701", "10.0.0.2:5702", "[::1]:5703"), "10.0.0.1", 5701));
        assertThat(c.describe()).contains("cluster=10.0.0.1:5701 members=10.0.0.1:5701,10.0.0.2:5702,[::1]:5703");
    }

    @Test
    void environmentFillsTheClusterConfig() {
        ClusterConfig k = ControllerConfig.fromEnv(Map.of("DROVER_CLUSTER", "on", "DROVER_CLUSTER_MEMBERS", "a:1,b:2",
                "DROVER_CLUSTER_HOST", "a", "DROVER_CLUSTER_PORT", "1")).cluster();
        assertThat(k).isEqualTo(new ClusterConfig(true, List.of("a:1", "b:2"), "a", 1));
        assertThatThrownBy(() -> ClusterConfig.fromEnv(Map.of("DROVER_CLUSTER_PORT", "x")))
                .hasMessageContaining("DROVER_CLUSTER_PORT").hasMessageContaining("'x' is not a whole number");
        assertThatThrownBy(() -> ClusterConfig.fromEnv(Map.of("DROVER_CLUSTER", "maybe")))
                .hasMessageContaining("DROVER_CLUSTER must be 'on' or 'off'");
    }

    @Test
    void aClusterNeedsOneSharedStore() {
        assertThatThrownBy(() -> parse("--cluster", "--cluster-members", "127.0.0.1:5701").validated())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("--cluster needs --mongo-uri")
                .hasMessageContaining("all nodes of a cluster must use one shared store")
                .hasMessageContaining("drover store");
    }

    @Test
    void membersMustBeHostAndPort() {
        for (String bad : new String[] {"127.0.0.1", "127.0.0.1:", ":5701", "host:port", "h:70000", "::1:5701", "a b:1"}) {
            assertThatThrownBy(() -> parse("--mongo-uri", MONGO, "--cluster", "--cluster-members", "ok:1," + bad), bad)
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("--cluster-members")
                    .hasMessageContaining("member '" + bad + "'");
        }
        assertThatThrownBy(() -> parse("--cluster-members", "host"))
                .hasMessageContaining("member 'host' is not host:port (e.g. 10.0.0.5:5701");
        assertThatThrownBy(() -> parse("--cluster-members", ","))
                .hasMessageContaining("names no member");
    }

    @Test
    void clusterNeedsMembersAndMembersNeedCluster() {
        assertThatThrownBy(() -> parse("--mongo-uri", MONGO, "--cluster").validated())
                .hasMessageContaining("--cluster needs --cluster-members");
        assertThatThrownBy(() -> parse("--mongo-uri", MONGO, "--cluster-members", "a:1").validated())
                .hasMessageContaining("clustering is off: add --cluster");
    }

    @Test
    void hostAndPortAreChecked() {
        assertThatThrownBy(() -> parse("--mongo-uri", MONGO, "--cluster", "--cluster-members", "a:1", "--cluster-port", "0").validated())
                .hasMessageContaining("--cluster-port 0 is out of range 1-65535");
        assertThatThrownBy(() -> parse("--mongo-uri", MONGO, "--cluster", "--cluster-members", "a:1", "--cluster-host", "0.0.0.0").validated())
                .hasMessageContaining("not the wildcard '0.0.0.0'");
    }

    @Test
    void aLoopbackClusterHostCannotJoinOtherMachines() {
        assertThatThrownBy(() -> parse("--mongo-uri", MONGO, "--cluster", "--cluster-members", "127.0.0.1:5701,10.0.0.2:5701").validated())
                .hasMessageContaining("names another machine (10.0.0.2:5701)")
                .hasMessageContaining("set --cluster-host");
        parse("--mongo-uri", MONGO, "--cluster", "--cluster-members", "localhost:5701,127.0.0.1:5702,[::1]:5703").validated();
        parse("--mongo-uri", MONGO, "--cluster", "--cluster-members", "10.0.0.1:5701,10.0.0.2:5701", "--cluster-host", "10.0.0.1").validated();
    }

    @Test
    void hazelcastGetsTcpIpJoinWithoutMulticast() {
        var hz = HazelcastSettings.of(new ClusterConfig(true, List.of("127.0.0.1:5801", "127.0.0.1:5802"), "127.0.0.1", 5801));
        var join = hz.getNetworkConfig().getJoin();
        assertThat(join.getMulticastConfig().isEnabled()).isFalse();
        assertThat(join.getTcpIpConfig().isEnabled()).isTrue();
        assertThat(join.getTcpIpConfig().getMembers()).containsExactly("127.0.0.1:5801", "127.0.0.1:5802");
        assertThat(hz.getNetworkConfig().getPort()).isEqualTo(5801);
        assertThat(hz.getNetworkConfig().isPortAutoIncrement()).isFalse();
        assertThat(hz.getNetworkConfig().getPublicAddress()).isEqualTo("127.0.0.1:5801");
        assertThat(hz.getProperty("hazelcast.wait.seconds.before.join")).isEqualTo("0");
        assertThat(hz.getProperty("hazelcast.phone.home.enabled")).isEqualTo("false");
        assertThat(hz.getProperty("hazelcast.logging.type")).isEqualTo("slf4j");
        // Vert.x's own map settings for event-bus subscriptions are kept
        assertThat(hz.getMultiMapConfigs().keySet().toString() + hz.getMapConfigs().keySet()).contains("__vertx");
    }
}

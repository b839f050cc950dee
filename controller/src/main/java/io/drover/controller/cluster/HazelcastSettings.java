package io.drover.controller.cluster;

import com.hazelcast.config.Config;
import com.hazelcast.config.JoinConfig;
import com.hazelcast.config.NetworkConfig;
import io.drover.controller.config.ClusterConfig;
import io.vertx.spi.cluster.hazelcast.ConfigUtil;
import java.util.List;
import java.util.regex.Pattern;

/**
 * The Hazelcast member configuration of one controller: Vert.x's defaults ({@link ConfigUtil#loadConfig()}
 * carries the {@code __vertx.subs} map settings the event bus needs) with the network replaced by
 * a fixed port and TCP-IP join to the configured members. No multicast or auto-detection: a
 * controller joins only the members it is told about.
 */
final class HazelcastSettings {
    /** Hazelcast's cluster name: members of other Hazelcast clusters on the same hosts are refused. */
    static final String CLUSTER_NAME = "drover";
    private static final Pattern IPV4 = Pattern.compile("\\d{1,3}(\\.\\d{1,3}){3}");

    private HazelcastSettings() {}

    static Config of(ClusterConfig c) {
        Config hz = ConfigUtil.loadConfig();
        hz.setClusterName(CLUSTER_NAME);
        hz.setProperty("hazelcast.logging.type", "slf4j");
        hz.setProperty("hazelcast.phone.home.enabled", "false");
        // form the cluster in ~3 s instead of ~8 s (STACK-NOTES.md)
        hz.setProperty("hazelcast.wait.seconds.before.join", "0");
        hz.setProperty("hazelcast.max.wait.seconds.before.join", "0");
        // a killed controller is noticed in ~10 s (default 60 s); the event bus fails over sooner anyway
        hz.setProperty("hazelcast.heartbeat.interval.seconds", "1");
        hz.setProperty("hazelcast.max.no.heartbeat.seconds", "10");
        // the controller's own shutdown hook closes Vert.x, which leaves the cluster in order;
        // Hazelcast's hook would pull the member out from under it first
        hz.setProperty("hazelcast.shutdownhook.enabled", "false");

        NetworkConfig net = hz.getNetworkConfig();
        net.setPort(c.port()).setPortAutoIncrement(false);
        net.setPublicAddress(c.self());
        if (isIpLiteral(c.host())) {
            // bind only this address (Hazelcast binds every interface otherwise)
            hz.setProperty("hazelcast.socket.bind.any", "false");
            net.getInterfaces().setEnabled(true).setInterfaces(List.of(c.host()));
        }
        JoinConfig join = net.getJoin();
        join.getMulticastConfig().setEnabled(false);
        join.getAutoDetectionConfig().setEnabled(false);
        join.getTcpIpConfig().setEnabled(true).setMembers(List.copyOf(c.members())).setConnectionTimeoutSeconds(1);
        return hz;
    }

    static boolean isIpLiteral(String host) {
        return IPV4.matcher(host).matches() || host.contains(":");
    }
}

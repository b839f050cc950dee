package io.drover.controller.cluster;

import com.hazelcast.cluster.Member;
import com.hazelcast.cluster.MembershipEvent;
import com.hazelcast.cluster.MembershipListener;
import com.hazelcast.core.HazelcastInstance;
import io.drover.controller.config.ClusterConfig;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.spi.cluster.hazelcast.HazelcastClusterManager;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * This controller's place in a cluster: its Vert.x instance (clustered over Hazelcast when
 * {@code --cluster} is on) and the membership, for {@code /ready} and for the bridge's resyncs.
 * Without {@code --cluster} it is {@link #standalone}: a plain {@code Vertx.vertx()}, nothing
 * joined, nothing to wait for.
 */
public final class ClusterNode {
    private static final Logger log = LoggerFactory.getLogger(ClusterNode.class);
    /** How long a start waits for Hazelcast and the event bus before giving up. */
    static final Duration JOIN_TIMEOUT = Duration.ofSeconds(90);

    /**
     * Cluster membership as {@code /ready} reports it; {@code problems}: misconfigurations found
     * between the nodes (e.g. different secrets keys) that do not stop this node from serving.
     */
    public record State(boolean enabled, boolean joined, List<String> members, List<String> problems) {}

    private final Vertx vertx;
    private final HazelcastClusterManager manager; // null when standalone
    private final List<Runnable> membershipListeners = new CopyOnWriteArrayList<>();
    private final List<String> problems = new CopyOnWriteArrayList<>();

    private ClusterNode(Vertx vertx, HazelcastClusterManager manager) {
        this.vertx = vertx;
        this.manager = manager;
    }

    /** One controller on its own: a plain Vert.x, exactly as fast to start as before clustering existed. */
    public static ClusterNode standalone() {
        return new ClusterNode(Vertx.vertx(), null);
    }

    /** Starts per the config: standalone when off, else joins the cluster (blocks until joined). */
    public static ClusterNode start(ClusterConfig cfg) {
        return cfg.enabled() ? join(cfg) : standalone();
    }

    /**
     * Starts a Hazelcast member (TCP-IP join to {@code cfg.members()}) and a clustered Vert.x on it;
     * blocks until it has joined (it forms a cluster of one when no other member answers).
     *
     * @throws ClusterStartException with a message saying what to check
     */
    public static ClusterNode join(ClusterConfig cfg) {
        quietHazelcast();
        long t0 = System.nanoTime();
        HazelcastClusterManager manager = new HazelcastClusterManager(HazelcastSettings.of(cfg));
        VertxOptions options = new VertxOptions();
        // the event bus listens on a free port of the cluster address; peers learn it from Hazelcast
        options.getEventBusOptions().setHost(cfg.host()).setPort(0);
        Vertx vertx;
        try {
            vertx = Vertx.builder().with(options).withClusterManager(manager).buildClustered()
                    .toCompletionStage().toCompletableFuture().get(JOIN_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            throw new ClusterStartException(cfg, rootMessage(e.getCause()), e.getCause());
        } catch (TimeoutException e) {
            throw new ClusterStartException(cfg, "no cluster formed within " + JOIN_TIMEOUT.toSeconds() + " s", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ClusterStartException(cfg, "interrupted while joining", e);
        }
        ClusterNode node = new ClusterNode(vertx, manager);
        manager.getHazelcastInstance().getCluster().addMembershipListener(new MembershipListener() {
            @Override
            public void memberAdded(MembershipEvent e) {
                log.info("cluster: {} joined; members now {}", e.getMember().getAddress(), node.addresses(e.getMembers()));
                node.membershipListeners.forEach(Runnable::run);
            }

            @Override
            public void memberRemoved(MembershipEvent e) {
                log.warn("cluster: {} left; members now {}", e.getMember().getAddress(), node.addresses(e.getMembers()));
                node.membershipListeners.forEach(Runnable::run);
            }
        });
        log.info("cluster: joined as {} in {} ms; members {}", cfg.self(), (System.nanoTime() - t0) / 1_000_000,
                node.state().members());
        return node;
    }

    public Vertx vertx() {
        return vertx;
    }

    public boolean enabled() {
        return manager != null;
    }

    /** This node's id on the event bus (a fixed label when standalone). */
    public String nodeId() {
        return manager == null ? "standalone" : manager.getNodeId();
    }

    /** Runs {@code r} (on a Hazelcast thread: keep it short) when a member joins or leaves. */
    public void onMembershipChange(Runnable r) {
        membershipListeners.add(r);
    }

    /** Enabled, joined (the Hazelcast member runs and Vert.x is part of the cluster) and the member addresses. */
    public State state() {
        if (manager == null) return new State(false, false, List.of(), List.of());
        try {
            HazelcastInstance hz = manager.getHazelcastInstance();
            boolean joined = manager.isActive() && hz != null && hz.getLifecycleService().isRunning();
            return new State(true, joined, joined ? addresses(hz.getCluster().getMembers()) : List.of(), List.copyOf(problems));
        } catch (RuntimeException e) { // the instance is shutting down
            return new State(true, false, List.of(), List.copyOf(problems));
        }
    }

    /** Records a misconfiguration between nodes for {@code /ready} (once per text). */
    void problem(String text) {
        if (!problems.contains(text)) problems.add(text);
    }

    private List<String> addresses(java.util.Collection<Member> members) {
        List<String> out = new ArrayList<>();
        for (Member m : members) out.add(m.getAddress().getHost() + ":" + m.getAddress().getPort());
        return out;
    }

    /**
     * slf4j-simple reads a logger's level when the logger is created: Hazelcast's INFO lines (banner,
     * partition tables) would drown the controller's. Membership changes are logged here instead.
     */
    private static void quietHazelcast() {
        quiet("com.hazelcast", "warn");
        // warns at every start that CP data structures are unsafe: Drover uses none (leader election is a store lease)
        quiet("com.hazelcast.cp.CPSubsystem", "error");
    }

    private static void quiet(String logger, String level) {
        String key = "org.slf4j.simpleLogger.log." + logger;
        if (System.getProperty(key) == null) System.setProperty(key, level);
    }

    private static String rootMessage(Throwable t) {
        Throwable c = t;
        while (c.getCause() != null && c.getCause() != c) c = c.getCause();
        return c.getMessage() != null ? c.getMessage() : c.getClass().getSimpleName();
    }

    /** The cluster could not be joined: says which address and what to check. */
    public static final class ClusterStartException extends IllegalStateException {
        ClusterStartException(ClusterConfig cfg, String why, Throwable cause) {
            super("cannot join the cluster as " + cfg.self() + " (members " + String.join(",", cfg.members()) + "): " + why
                    + ". Check that --cluster-port " + cfg.port() + " is free on " + cfg.host()
                    + ", that --cluster-host is an address of this machine the other controllers can reach,"
                    + " and that every controller lists the same --cluster-members", cause);
        }
    }
}

package io.drover.controller.load;

import io.drover.controller.Controller;
import io.drover.controller.cluster.ClusterNode;
import io.drover.controller.config.ClusterConfig;
import io.drover.controller.config.ControllerConfig;
import io.drover.controller.secrets.SecretsKey;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code n} in-process controllers on one store. With {@code n > 1} they form a Vert.x cluster
 * over Hazelcast (two members in this JVM, TCP-IP join on loopback, as {@code --cluster
 * --cluster-members} does across machines); {@link #start} returns once every node sees all.
 */
final class ControllerFleet {
    private static final long FORM_TIMEOUT_MILLIS = 30_000;

    private ControllerFleet() {}

    static List<Controller> start(int n, String storeUri, LoadPlan plan, Path dir) throws Exception {
        List<Integer> ports = new ArrayList<>();
        for (int i = 0; i < n && n > 1; i++) ports.add(freePort());
        List<String> members = ports.stream().map(p -> "127.0.0.1:" + p).toList();
        List<Controller> fleet = new ArrayList<>();
        try {
            for (int i = 0; i < n; i++) {
                ControllerConfig cfg = ControllerConfig.defaults().withPort(0).withDataDir(dir.resolve("controller-" + i))
                        .withMongoUri(storeUri).withLease(plan.lease()).withHeartbeat(plan.heartbeat())
                        // the load measures the queue, not the per-credential write limit (a flag in production too)
                        .withWriteLimit(1_000_000, 1_000_000);
                if (n > 1) cfg = cfg.withCluster(new ClusterConfig(true, members, "127.0.0.1", ports.get(i)));
                // one secrets key for the whole cluster, as in production: the first node generated it
                if (i > 0) cfg = cfg.withSecretsKeyFile(dir.resolve("controller-0").resolve(SecretsKey.DEFAULT_FILE));
                fleet.add(Controller.start(cfg));
            }
            if (n > 1) awaitFormed(fleet, n);
            return fleet;
        } catch (Exception | Error e) {
            for (int i = fleet.size() - 1; i >= 0; i--) fleet.get(i).close();
            throw e;
        }
    }

    private static void awaitFormed(List<Controller> fleet, int n) throws InterruptedException {
        long deadline = System.currentTimeMillis() + FORM_TIMEOUT_MILLIS;
        while (true) {
            boolean all = true;
            for (Controller c : fleet) {
                ClusterNode.State s = c.services().cluster().state();
                all &= s.joined() && s.members().size() == n;
            }
            if (all) return;
            if (System.currentTimeMillis() > deadline) {
                throw new IllegalStateException("the " + n + " controllers did not form a cluster within " + FORM_TIMEOUT_MILLIS / 1000 + " s");
            }
            Thread.sleep(100);
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }
}

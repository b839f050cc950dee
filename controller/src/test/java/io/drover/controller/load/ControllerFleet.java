package io.drover.controller.load;

import io.drover.controller.Controller;
import io.drover.controller.config.ControllerConfig;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** {@code n} in-process controllers on one store; with {@code n > 1} they form a Vert.x/Hazelcast cluster. */
final class ControllerFleet {
    private ControllerFleet() {}

    static List<Controller> start(int n, String storeUri, LoadPlan plan, Path dir) throws Exception {
        List<Controller> fleet = new ArrayList<>();
        try {
            for (int i = 0; i < n; i++) {
                ControllerConfig cfg = ControllerConfig.defaults().withPort(0).withDataDir(dir.resolve("controller-" + i))
                        .withMongoUri(storeUri).withLease(plan.lease()).withHeartbeat(plan.heartbeat())
                        // the load measures the queue, not the per-credential write limit (a flag in production too)
                        .withWriteLimit(1_000_000, 1_000_000);
                fleet.add(Controller.start(cfg));
            }
            return fleet;
        } catch (Exception | Error e) {
            fleet.forEach(Controller::close);
            throw e;
        }
    }
}

package io.drover.agent.daemon;

import io.drover.agent.capture.LogShipper;
import io.drover.shared.json.Json;
import java.time.Duration;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Ends a task that never got to (or past) its process: abort, release, or fail it with the reason. */
final class TaskEnd {
    private static final Logger LOG = LoggerFactory.getLogger(TaskEnd.class);

    private TaskEnd() {}

    static void endEarly(TaskRun run, LeaseApi lease, LogShipper shipper, Consumer<String> console, String reason) {
        try {
            switch (run.stop()) {
                case ABANDON -> { }
                case RELEASE -> {
                    shipper.close(Duration.ofSeconds(5));
                    lease.release(run.reason(), Duration.ofSeconds(10));
                }
                case ABORT -> {
                    shipper.closeDelivering(() -> run.stop() != TaskRun.Stop.ABORT);
                    lease.finishDelivered(Json.object().put("status", "aborted").put("reason", run.reason()),
                            () -> run.stop() != TaskRun.Stop.ABORT);
                }
                case NONE -> {
                    console.accept("[drover] " + reason);
                    // delivered through a store or controller outage, like a task that ran (TaskRunner)
                    shipper.closeDelivering(() -> run.stop() != TaskRun.Stop.NONE);
                    lease.finishDelivered(Json.object().put("status", "failed").put("reason", run.mask.apply(reason)),
                            () -> run.stop() != TaskRun.Stop.NONE);
                }
            }
        } catch (LeaseLostException e) {
            LOG.info("task {}: {}", run.taskId, e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException e) {
            LOG.warn("task {}: cannot record its end ({}); the lease watchdog will requeue or fail it", run.taskId, e.toString());
        }
    }
}

package io.drover.controller;

import io.drover.controller.audit.AuditLog;
import io.drover.controller.cluster.ClusterNode;
import io.drover.controller.config.ControllerConfig;
import io.drover.controller.store.Durability;
import io.drover.controller.store.Store;
import io.drover.controller.tasks.TaskEvents;
import io.drover.controller.workers.ControlChannel;
import io.drover.controller.workers.WorkerHistory;
import io.drover.queue.TaskQueue;
import io.vertx.core.Vertx;
import io.vertx.core.WorkerExecutor;
import java.time.Clock;

/**
 * Everything a resource may need, built once by {@link Controller}. Tests reach the store and the
 * queue through it.
 *
 * @param storePool the bounded {@code drover-store} worker pool for blocking store calls
 * @param events    in-process task life-cycle notifications (metrics, live streams)
 * @param control   pushes aborts to agents' control long-polls
 * @param audit     the audit log ({@link AuditLog#record}: who did what, from where)
 * @param workerHistory the workers' recent machine stats (shared with the other nodes of a cluster)
 * @param cluster   this controller's place in a cluster ({@link ClusterNode#standalone} without {@code --cluster})
 */
public record Services(ControllerConfig config, Vertx vertx, Store store, TaskQueue queue,
                       TaskEvents events, ControlChannel control, WorkerExecutor storePool, Clock clock,
                       AuditLog audit, WorkerHistory workerHistory, ClusterNode cluster) {

    public Durability durability() {
        return store.durability();
    }
}

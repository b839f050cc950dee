package io.drover.controller.lease;

import static org.assertj.core.api.Assertions.assertThat;

import io.drover.controller.QueueFactory;
import io.drover.controller.Services;
import io.drover.controller.cluster.ClusterNode;
import io.drover.controller.config.ControllerConfig;
import io.drover.controller.store.Store;
import io.drover.controller.store.StoreIndexes;
import io.drover.controller.store.StoreServer;
import io.drover.controller.tasks.TaskEvents;
import io.drover.controller.workers.ControlChannel;
import io.drover.controller.workers.WorkerHistory;
import io.drover.queue.TaskFields;
import io.drover.queue.TaskQueue;
import io.drover.shared.domain.Ids;
import io.vertx.core.Vertx;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Date;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BooleanSupplier;
import org.bson.Document;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Agents cannot heartbeat into an unreachable store, so their leases look expired once it is back:
 * the watchdog then waits one lease before expiring anything, and only the silent ones go.
 */
class LeaseWatchdogGraceTest {
    private static final Duration LEASE = Duration.ofSeconds(2);
    private static final long S = 1_000_000_000L;

    @TempDir
    Path tmp;

    @Test
    void graceRules() {
        LeaseWatchdog.Grace g = new LeaseWatchdog.Grace(Duration.ofSeconds(10));
        // a new term (start, take-over): one lease of quiet from when the lease was taken
        assertThat(g.mayExpire(1, 0, 5 * S)).isFalse();
        assertThat(g.mayExpire(1, 0, 10 * S)).isTrue();
        // an outage: nothing expires while it lasts, nor for one lease after the first good run
        assertThat(g.failed()).isTrue();
        assertThat(g.failed()).as("logged once per outage").isFalse();
        assertThat(g.mayExpire(1, 0, 30 * S)).isFalse();
        g.succeeded(40 * S);
        assertThat(g.mayExpire(1, 0, 45 * S)).isFalse();
        assertThat(g.mayExpire(1, 0, 50 * S)).isTrue();
        g.succeeded(60 * S); // no outage: changes nothing
        assertThat(g.mayExpire(1, 0, 61 * S)).isTrue();
        // leading again after a loss is a new term
        assertThat(g.mayExpire(2, 70 * S, 71 * S)).isFalse();
        assertThat(g.mayExpire(2, 70 * S, 80 * S)).isTrue();
    }

    @Test
    void afterAStoreOutageOnlyAgentsThatStaySilentLoseTheirTasks() throws Exception {
        Path storeDir = tmp.resolve("store");
        StoreServer server = StoreServer.start(storeDir, "127.0.0.1", 0);
        int port = server.address().getPort();
        ControllerConfig cfg = ControllerConfig.defaults().withDataDir(tmp.resolve("controller")).withLease(LEASE)
                .withHeartbeat(Duration.ofSeconds(1))
                .withMongoUri("mongodb://127.0.0.1:" + port + "/?serverSelectionTimeoutMS=3000&connectTimeoutMS=3000");
        Store store = Store.open(cfg);
        ClusterNode node = ClusterNode.start(cfg.cluster()); // not clustered: a plain Vertx
        Vertx vertx = node.vertx();
        LeaseWatchdog watchdog = null;
        AtomicBoolean heartbeating = new AtomicBoolean(true);
        try {
            StoreIndexes.ensure(store);
            TaskQueue queue = QueueFactory.MONGO.create(store.db(), LEASE, Clock.systemUTC());
            Services services = new Services(cfg, vertx, store, queue, new TaskEvents(), new ControlChannel(),
                    vertx.createSharedWorkerExecutor("drover-store", 4), Clock.systemUTC(), null,
                    new WorkerHistory(cfg.heartbeat()), node);
            watchdog = LeaseWatchdog.start(services);
            assertThat(watchdog.elector().isLeader()).as("a lone controller elects itself at once").isTrue();

            String alive = task(store, queue);
            String silent = task(store, queue);
            TaskQueue.Claim a = queue.claim("w-alive", List.of("q"), false).orElseThrow();
            TaskQueue.Claim b = queue.claim("w-silent", List.of("q"), false).orElseThrow();
            long aliveEpoch = a.taskId().equals(alive) ? a.epoch() : b.epoch();
            // the agent of 'alive' heartbeats every 300 ms whenever the store answers
            Thread agent = new Thread(() -> {
                while (heartbeating.get()) {
                    try {
                        queue.extendLease(alive, aliveEpoch);
                    } catch (RuntimeException storeDown) {
                        // like an agent getting 503s: try again later
                    }
                    sleep(300);
                }
            }, "test-agent");
            agent.setDaemon(true);
            agent.start();

            // the store goes away for longer than a lease: no heartbeat gets through
            server.close();
            LeaseWatchdog w = watchdog;
            await(() -> w.grace().inOutage(), Duration.ofSeconds(10), "the watchdog noticed the outage");
            Thread.sleep(LEASE.toMillis() + 500);
            server = StoreServer.start(storeDir, "127.0.0.1", port);
            long back = System.nanoTime();

            await(() -> !w.grace().inOutage(), Duration.ofSeconds(15), "a successful run after the outage");
            long firstGoodRun = System.nanoTime();
            await(() -> !status(store, silent).equals("running"), LEASE.plus(Duration.ofSeconds(15)), "the silent task expired");
            long expired = System.nanoTime();
            System.out.printf("store back -> first good run %d ms -> silent task requeued %d ms later (lease %d ms)%n",
                    (firstGoodRun - back) / 1_000_000, (expired - firstGoodRun) / 1_000_000, LEASE.toMillis());
            assertThat(status(store, silent)).isEqualTo("queued");
            // without the grace the first good run would have expired it at once
            assertThat(expired - firstGoodRun).as("nothing expired within one lease of the first good run")
                    .isGreaterThanOrEqualTo(LEASE.toNanos() - 200_000_000L);
            assertThat(expired - w.grace().quietFrom()).isGreaterThanOrEqualTo(0);
            // the agent that kept heartbeating keeps its task, under the same epoch
            Document t = store.tasks().find(TaskFields.byId(alive)).first();
            assertThat(t.getString(TaskFields.STATUS)).isEqualTo("running");
            assertThat(t.get(TaskFields.EPOCH, Number.class).longValue()).isEqualTo(aliveEpoch);
            assertThat(w.expiring()).isTrue();
        } finally {
            heartbeating.set(false);
            if (watchdog != null) watchdog.close();
            vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
            store.close();
            server.close();
        }
    }

    private static String task(Store store, TaskQueue queue) {
        String id = Ids.newId();
        store.tasks().insertOne(new Document(TaskFields.ID, id).append("name", "t").append(TaskFields.STATUS, "created")
                .append(TaskFields.EPOCH, 0L).append(TaskFields.EXECUTION, new Document("attempt", 0))
                .append(TaskFields.RETRIES, 3).append(TaskFields.UPDATED_AT, new Date()));
        queue.enqueue(id, "q", 0, TaskQueue.Position.BOTTOM);
        return id;
    }

    private static String status(Store store, String id) {
        try {
            return store.tasks().find(TaskFields.byId(id)).first().getString(TaskFields.STATUS);
        } catch (RuntimeException e) {
            return "unknown (" + e.getMessage() + ")";
        }
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void await(BooleanSupplier c, Duration max, String what) throws InterruptedException {
        long end = System.nanoTime() + max.toNanos();
        while (!c.getAsBoolean()) {
            if (System.nanoTime() > end) throw new AssertionError(what + ": not within " + max);
            Thread.sleep(20);
        }
    }
}

package io.drover.controller.cluster;

import com.mongodb.client.MongoCollection;
import com.mongodb.client.model.Filters;
import com.mongodb.client.model.Projections;
import io.drover.controller.tasks.TaskEvents;
import io.drover.controller.workers.ControlChannel;
import io.drover.controller.workers.WorkerHistory;
import io.drover.queue.TaskFields;
import io.drover.queue.TaskQueue;
import io.drover.queue.TaskQueue.QueueEntry;
import io.drover.queue.mongo.MongoTaskQueue;
import io.drover.queue.mongo.QueueListener;
import io.drover.shared.json.Json;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.WorkerExecutor;
import io.vertx.core.eventbus.EventBus;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Date;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.bson.Document;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Carries what one controller keeps in memory to the other controllers of a cluster, over the
 * Vert.x event bus (publish: every node gets every message; a node ignores its own). Changes are
 * batched per address: whatever accumulated while the previous message was being sent goes in the
 * next one, so an idle node sends at once and a busy one sends few, larger messages:
 * <ul>
 *   <li>{@value #QUEUE}: claim-order changes (queued / left) of {@link MongoTaskQueue}, replayed
 *       with {@code observeExternalEnqueue} / {@code forget}, so an enqueue on node B wakes an agent
 *       long-polling node A at once and every node claims every node's tasks. The store's
 *       compare-and-set keeps claims exclusive; a stale entry only costs a failed CAS.</li>
 *   <li>{@value #TASKS}: task events (changed, logs, scalars, report, finished, enqueued),
 *       replayed through {@link TaskEvents#remote()}: the task list index, live streams (SSE) and
 *       log long-polls of every node see every node's changes; metrics count only their own.</li>
 *   <li>{@value #CONTROL}: aborts for a worker whose control long-poll waits on another node.</li>
 *   <li>{@value #WORKERS}: heartbeat stats samples, so every node's dashboard has every worker's history.</li>
 * </ul>
 * Safety nets for messages a node never got (a member that died mid-change, a partition that
 * healed): the queue view is reloaded from the store when a member joins or leaves, and every
 * {@link #RELOAD_EVERY} when its size differs from the store's count of queued tasks; on a
 * membership change every task updated since shortly before the previous change is replayed as
 * {@code changed}.
 */
public final class ClusterBridge implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(ClusterBridge.class);

    static final String QUEUE = "drover.cluster.queue";
    static final String TASKS = "drover.cluster.tasks";
    static final String CONTROL = "drover.cluster.control";
    static final String WORKERS = "drover.cluster.workers";
    /** How often the claim order is checked against the store (a missed message must not strand a task). */
    public static final Duration RELOAD_EVERY = Duration.ofSeconds(60);
    /** At most this many changes in one event-bus message. */
    static final int MAX_BATCH = 500;
    /** Resyncs wait this long after a membership change, so a burst of changes costs one. */
    static final Duration SETTLE = Duration.ofSeconds(1);
    /** A resync replays tasks updated since this long before the previous membership change. */
    static final Duration RESYNC_MARGIN = Duration.ofMinutes(1);

    private final Vertx vertx;
    private final EventBus bus;
    private final String origin = UUID.randomUUID().toString();
    private final TaskQueue queue;
    private final TaskEvents events;
    private final ControlChannel control;
    private final WorkerHistory history;
    private final MongoCollection<Document> tasks;
    private final WorkerExecutor pool;
    private final Clock clock;
    private final String secretsKeyId;
    private final java.util.Set<String> keyMismatchReported = java.util.concurrent.ConcurrentHashMap.newKeySet();
    private ClusterNode node;
    private final List<MessageConsumer<JsonObject>> consumers = new ArrayList<>();
    private final io.vertx.core.Context flushContext;
    private final Outbox queueOut = new Outbox(QUEUE, "queue");
    private final Outbox tasksOut = new Outbox(TASKS, "task");
    private final Outbox controlOut = new Outbox(CONTROL, "control");
    private final Outbox workersOut = new Outbox(WORKERS, "worker");
    private final AtomicBoolean resyncPending = new AtomicBoolean();
    private volatile Instant lastMembershipChange;
    private long reloadTimer = -1;
    private volatile boolean closed;

    /**
     * @param queue   the claim order; its changes are shared when it is a {@link MongoTaskQueue}
     * @param tasks   the tasks collection (resyncs read which tasks changed)
     * @param pool    the store pool: reloads and resyncs block on the store
     * @param secretsKeyId the id of this node's secrets key (never the key): every node must use the same key,
     *                     or a secret set through one node cannot be opened by another; nodes compare ids
     */
    public ClusterBridge(Vertx vertx, TaskQueue queue, TaskEvents events, ControlChannel control, WorkerHistory history,
                         MongoCollection<Document> tasks, WorkerExecutor pool, Clock clock, String secretsKeyId) {
        this.secretsKeyId = secretsKeyId;
        this.vertx = vertx;
        this.bus = vertx.eventBus();
        this.queue = queue;
        this.events = events;
        this.control = control;
        this.history = history;
        this.tasks = tasks;
        this.pool = pool;
        this.clock = clock;
        this.lastMembershipChange = clock.instant();
        this.flushContext = vertx.getOrCreateContext();
    }

    /**
     * Subscribes to the other nodes' messages (blocks until the subscriptions are known cluster-wide),
     * then starts forwarding this node's changes, and reloads the claim order once so that
     * enqueues made elsewhere between the queue's first load and the subscription are not missed.
     */
    public ClusterBridge start(ClusterNode node) throws Exception {
        this.node = node;
        consumers.add(bus.<JsonObject>consumer(QUEUE, m -> fromPeer(m.body(), "queue", this::onQueue)));
        consumers.add(bus.<JsonObject>consumer(TASKS, m -> fromPeer(m.body(), "task", this::onTask)));
        consumers.add(bus.<JsonObject>consumer(CONTROL, m -> fromPeer(m.body(), "control", this::onControl)));
        consumers.add(bus.<JsonObject>consumer(WORKERS, m -> fromPeer(m.body(), "worker", this::onWorker)));
        Future.all(consumers.stream().map(MessageConsumer::completion).toList())
                .toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);

        if (queue instanceof MongoTaskQueue mq) mq.setListener(new QueueForwarder());
        events.add(new EventForwarder());
        control.elsewhere((worker, abort) -> controlOut.add(new JsonObject()
                .put("worker", worker).put("id", abort.taskId()).put("epoch", abort.epoch()).put("reason", abort.reason())));
        history.onRecord((worker, sample, at) -> workersOut.add(new JsonObject()
                .put("worker", worker).put("at", at.toEpochMilli()).put("sample", new JsonObject(Json.write(sample)))));

        reloadQueue();
        warmUp();
        node.onMembershipChange(this::membershipChanged);
        reloadTimer = vertx.setPeriodic(RELOAD_EVERY.toMillis(), t -> pool.executeBlocking(() -> {
            reloadIfMissedSomething();
            return null;
        }, false));
        return this;
    }

    @Override
    public void close() {
        closed = true;
        if (reloadTimer != -1) vertx.cancelTimer(reloadTimer);
        if (queue instanceof MongoTaskQueue mq) mq.setListener(null);
        control.elsewhere(null);
        history.onRecord(null);
        consumers.forEach(MessageConsumer::unregister);
    }

    // ---------------------------------------------------------------- sending (any thread, non-blocking)

    /** The changes waiting to be published on one address, in the order they were made. */
    private final class Outbox {
        private final String address;
        private final String kind;
        private final java.util.concurrent.ConcurrentLinkedQueue<JsonObject> pending = new java.util.concurrent.ConcurrentLinkedQueue<>();
        private final AtomicBoolean scheduled = new AtomicBoolean();

        Outbox(String address, String kind) {
            this.address = address;
            this.kind = kind;
        }

        /** Any thread; never blocks: the publish happens on the bridge's event-loop context. */
        void add(JsonObject change) {
            if (closed) return;
            pending.add(change);
            if (scheduled.compareAndSet(false, true)) flushContext.runOnContext(v -> flush());
        }

        private void flush() {
            scheduled.set(false); // an add from here on schedules another flush
            while (!closed) {
                JsonArray items = new JsonArray();
                for (JsonObject c; items.size() < MAX_BATCH && (c = pending.poll()) != null; ) items.add(c);
                if (items.isEmpty()) return;
                bus.publish(address, new JsonObject().put("o", origin).put("items", items));
                events.eventBus("sent", kind);
            }
        }
    }

    /** This node's claim-order changes (called under the task's lock: only publishes). */
    private final class QueueForwarder implements QueueListener {
        @Override
        public void queued(QueueEntry e) {
            queueOut.add(new JsonObject().put("op", "queued").put("id", e.taskId()).put("queue", e.queue())
                    .put("priority", e.priority()).put("seq", e.seq()).put("gpus", e.gpus())
                    .put("at", e.queuedAt() == null ? null : e.queuedAt().toEpochMilli()));
        }

        @Override
        public void left(String taskId) {
            queueOut.add(new JsonObject().put("op", "left").put("id", taskId));
        }
    }

    /** This node's task events (local-only: replayed remote events are not sent back). */
    private final class EventForwarder implements TaskEvents.Listener {
        @Override
        public boolean localOnly() {
            return true;
        }

        @Override
        public void enqueued(String taskId, String q) {
            publishTask(task("enqueued", taskId).put("queue", q));
        }

        @Override
        public void finished(String taskId, String status) {
            publishTask(task("finished", taskId).put("status", status));
        }

        @Override
        public void changed(String taskId) {
            publishTask(task("changed", taskId));
        }

        @Override
        public void logs(String taskId, long next) {
            publishTask(task("logs", taskId).put("next", next));
        }

        @Override
        public void scalars(String taskId, Collection<String> series) {
            publishTask(task("scalars", taskId).put("series", new JsonArray(new ArrayList<>(series))));
        }

        @Override
        public void report(String taskId, String kind) {
            publishTask(task("report", taskId).put("kind", kind));
        }

        private JsonObject task(String event, String taskId) {
            return new JsonObject().put("ev", event).put("id", taskId);
        }

        private void publishTask(JsonObject o) {
            tasksOut.add(o);
        }
    }

    // ---------------------------------------------------------------- receiving

    private interface Handler {
        void handle(JsonObject body);
    }

    /**
     * Another node's message: its changes are applied on a worker thread in arrival order per
     * address (the queue view's locks may wait on a store call; some task listeners may block briefly).
     */
    private void fromPeer(JsonObject body, String kind, Handler h) {
        if (closed || body == null || origin.equals(body.getString("o"))) return;
        events.eventBus("received", kind);
        JsonArray items = body.getJsonArray("items");
        if (items == null || items.isEmpty()) return;
        String peer = body.getString("o");
        vertx.executeBlocking(() -> {
            for (int i = 0; i < items.size(); i++) {
                JsonObject change = items.getJsonObject(i);
                try {
                    if ("hello".equals(change.getString("op"))) compareSecretsKey(change.getString("keyId"), peer); // warmUp()
                    else h.handle(change);
                } catch (RuntimeException e) {
                    log.warn("cluster: could not apply a {} change from another controller: {}", kind, change.encode(), e);
                }
            }
            return null;
        }, true);
    }

    private void onQueue(JsonObject b) {
        if (!(queue instanceof MongoTaskQueue mq)) {
            if ("queued".equals(b.getString("op"))) queue.reload(); // a queue without replay: reload wakes its pollers
            return;
        }
        String id = b.getString("id");
        if ("queued".equals(b.getString("op"))) {
            Long at = b.getLong("at");
            mq.observeExternalEnqueue(new QueueEntry(id, b.getString("queue"), b.getInteger("priority", 0),
                    b.getLong("seq", 0L), at == null ? null : Instant.ofEpochMilli(at), b.getInteger("gpus", 0)));
        } else {
            mq.forget(id);
        }
    }

    private void onTask(JsonObject b) {
        TaskEvents remote = events.remote();
        String id = b.getString("id");
        switch (b.getString("ev", "")) {
            case "changed" -> remote.changed(id);
            case "logs" -> remote.logs(id, b.getLong("next", 0L));
            case "finished" -> remote.finished(id, b.getString("status"));
            case "enqueued" -> remote.enqueued(id, b.getString("queue"));
            case "report" -> remote.report(id, b.getString("kind"));
            case "scalars" -> {
                JsonArray a = b.getJsonArray("series", new JsonArray());
                List<String> series = new ArrayList<>(a.size());
                for (int i = 0; i < a.size(); i++) series.add(a.getString(i));
                remote.scalars(id, series);
            }
            default -> log.debug("cluster: unknown task event {}", b.encode());
        }
    }

    private void onControl(JsonObject b) {
        control.pushHere(b.getString("worker"), new ControlChannel.Abort(b.getString("id"), b.getLong("epoch", 0L), b.getString("reason")));
    }

    private void onWorker(JsonObject b) {
        JsonObject sample = b.getJsonObject("sample");
        if (sample == null) return;
        history.replay(b.getString("worker"), Json.parse(sample.encode()), Instant.ofEpochMilli(b.getLong("at", clock.millis())));
    }

    // ---------------------------------------------------------------- safety nets

    /**
     * Publishes one empty message on each address: the event bus opens its connections to the
     * members now, so the first real wake-up after a start or a join does not pay for it.
     */
    private void warmUp() {
        for (Outbox o : List.of(queueOut, tasksOut, controlOut, workersOut)) {
            o.add(new JsonObject().put("op", "hello").put("keyId", secretsKeyId));
        }
    }

    /** A peer with another secrets key: tasks it hands out cannot get secrets set through this node, and back. */
    private void compareSecretsKey(String peerKeyId, String peer) {
        if (secretsKeyId == null || peerKeyId == null || peerKeyId.equals(secretsKeyId) || !keyMismatchReported.add(peer)) return;
        String problem = "another controller of the cluster uses a different secrets key (key id " + peerKeyId + ", this one "
                + secretsKeyId + "): secrets set through one controller cannot be opened by the other. Give every controller"
                + " the same key (--secrets-key-file FILE or env DROVER_SECRETS_KEY) and restart them";
        log.error("cluster: {}", problem);
        if (node != null) node.problem(problem);
    }

    /**
     * The periodic safety net: a reload blocks this node's claims while it reads every queued task
     * (about 0.4-1.2 s at 20,000 queued on a loaded 2-core machine), so it runs only when the
     * number of queued tasks in the store differs from this node's claim order (a count does not
     * hold the queue's lock). Counted around the store's count, so a change landing meanwhile
     * does not force a reload; a lasting difference does, on this pass or the next.
     */
    boolean reloadIfMissedSomething() {
        if (closed) return false;
        try {
            long before = viewSize();
            long stored = tasks.countDocuments(Filters.eq(TaskFields.STATUS, "queued"));
            long after = viewSize();
            if (stored == before || stored == after) return false;
            log.info("cluster: {} task(s) queued in the store but {} in this node's claim order: reloading it", stored, after);
        } catch (RuntimeException e) {
            log.warn("cluster: could not count the queued tasks; reloading the claim order instead", e);
        }
        reloadQueue();
        return true;
    }

    private long viewSize() {
        long n = 0;
        for (long d : queue.depths().values()) n += d;
        return n;
    }

    /** Re-reads the claim order from the store (blocking). */
    void reloadQueue() {
        if (closed) return;
        long t0 = System.nanoTime();
        try {
            queue.reload();
            log.debug("cluster: claim order reloaded in {} ms", (System.nanoTime() - t0) / 1_000_000);
        } catch (RuntimeException e) {
            log.warn("cluster: could not reload the claim order from the store; the next reload retries", e);
        }
    }

    /** A member joined or left: after a short settle, reload the claim order and replay recent task changes. */
    private void membershipChanged() {
        if (closed || !resyncPending.compareAndSet(false, true)) return;
        Instant previous = lastMembershipChange;
        lastMembershipChange = clock.instant();
        vertx.setTimer(SETTLE.toMillis(), t -> pool.executeBlocking(() -> {
            resyncPending.set(false);
            warmUp();
            reloadQueue();
            resyncTasks(previous.minus(RESYNC_MARGIN));
            return null;
        }, false));
    }

    /** Replays {@code changed} for every task updated since {@code since}: task lists and live pages catch up. */
    void resyncTasks(Instant since) {
        if (closed) return;
        try {
            int n = 0;
            for (Document d : tasks.find(Filters.gte(TaskFields.UPDATED_AT, Date.from(since)))
                    .projection(Projections.include(TaskFields.ID))) {
                events.remote().changed(d.getString(TaskFields.ID));
                n++;
            }
            log.info("cluster: membership changed; claim order reloaded, {} task(s) changed since {} re-read", n, since);
        } catch (RuntimeException e) {
            log.warn("cluster: could not re-read recently changed tasks after a membership change", e);
        }
    }
}

package io.drover.queue.mongo;

import com.mongodb.client.MongoCollection;
import com.mongodb.client.MongoDatabase;
import com.mongodb.client.model.FindOneAndUpdateOptions;
import com.mongodb.client.model.ReturnDocument;
import io.drover.queue.TaskFields;
import io.drover.queue.TaskQueue;
import io.drover.shared.domain.DroverException;
import io.drover.shared.domain.Ids;
import io.drover.shared.domain.TaskStatus;
import org.bson.Document;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.ReentrantLock;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.function.Supplier;

import static io.drover.queue.TaskFields.*;

/**
 * {@link TaskQueue} over the {@code tasks} collection. Every state change is one compare-and-set
 * on one task document; which {@code _id} to try next comes from an in-memory {@link QueueView}
 * rebuilt by {@link #reload()} (the constructor does it once) and kept current by this object's
 * own operations. A sorted pop on the store would sort all queued tasks on each claim (13/s at
 * 10,000 queued on the embedded store); a CAS on a known {@code _id} is an index lookup.
 *
 * <p>Several controllers may share one store: the CAS keeps claims exclusive; to see each other's
 * enqueues quickly they replay changes through a {@link QueueListener} and
 * {@link #observeExternalEnqueue}/{@link #forget}, and {@link #reload()} now and then as a safety net.
 *
 * <p>Thread-safe. All methods block on the store.
 */
public final class MongoTaskQueue implements TaskQueue, AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(MongoTaskQueue.class);

    /** statusReason of a task whose lease expired and may not be retried. */
    public static final String WORKER_LOST = "worker lost";

    /** How often a state change re-reads and retries when another writer changed the task meanwhile. */
    private static final int CAS_ATTEMPTS = 5;
    private static final FindOneAndUpdateOptions AFTER = new FindOneAndUpdateOptions().returnDocument(ReturnDocument.AFTER);

    private final MongoCollection<Document> tasks;
    private final SeqCounter seqs;
    private final Duration lease;
    private final Clock clock;
    /** Hands a wake-up on only while its entry is still in the current view's claim order. */
    private final WorkSignals signals = new WorkSignals(e -> this.view.isClaimable(e));
    private final TaskLocks locks = new TaskLocks(256);
    /** Read side: any CAS + view update; write side: reload, so no change lands in a view being replaced. */
    private final ReentrantReadWriteLock reloadLock = new ReentrantReadWriteLock();
    /** Per worker: index of the queue its next fair claim starts at. */
    private final ConcurrentHashMap<String, AtomicInteger> rotation = new ConcurrentHashMap<>();
    private volatile QueueView view = new QueueView();
    private volatile QueueListener listener = QueueListener.NONE;

    /** Uses the {@code tasks} and {@code counters} collections of {@code db}. */
    public MongoTaskQueue(MongoDatabase db, Duration lease, Clock clock) {
        this(db.getCollection(TaskFields.COLLECTION), db.getCollection(TaskFields.COUNTERS_COLLECTION), lease, clock);
    }

    /**
     * Creates the indexes the queue needs and loads the claim order from the store.
     *
     * @param tasks    the tasks collection
     * @param counters where the {@code queuedSeq} counter document lives (shared by every controller)
     * @param lease    how long a claim or heartbeat keeps a task (30 s by default in the controller)
     * @param clock    time source for leases and timestamps
     */
    public MongoTaskQueue(MongoCollection<Document> tasks, MongoCollection<Document> counters, Duration lease, Clock clock) {
        this.tasks = Objects.requireNonNull(tasks, "tasks");
        this.seqs = new SeqCounter(Objects.requireNonNull(counters, "counters"));
        this.lease = Objects.requireNonNull(lease, "lease");
        this.clock = Objects.requireNonNull(clock, "clock");
        if (lease.isZero() || lease.isNegative()) throw new IllegalArgumentException("lease must be positive, got " + lease);
        QueueIndexes.ensure(tasks);
        reload();
    }

    /** Replaces the listener told about this node's queue changes (one at a time; null = none). */
    public void setListener(QueueListener listener) {
        this.listener = listener == null ? QueueListener.NONE : listener;
    }

    @Override
    public Duration leaseDuration() {
        return lease;
    }

    // ---- enqueue, dequeue, move -----------------------------------------------------------

    @Override
    public QueueEntry enqueue(String taskId, String queue, int priority, Position position) {
        if (!Ids.isName(queue)) {
            throw DroverException.badRequest("queue name '" + queue
                    + "' is not valid: use 1-64 letters, digits, '.', '_' or '-', starting with a letter or digit");
        }
        Position where = position == null ? Position.BOTTOM : position;
        for (int attempt = 0; attempt < CAS_ATTEMPTS; attempt++) {
            Document state = currentState(taskId);
            TaskStatus from = TaskDocs.status(state);
            // The value as stored (or null when absent), so the filter matches it exactly, type included.
            Object epoch = state.get(EPOCH);
            // running → queued is the queue's own requeue, never a user's enqueue.
            if (from == TaskStatus.RUNNING || !from.canMoveTo(TaskStatus.QUEUED)) {
                throw DroverException.conflict(TaskStatus.illegalTransition(from, TaskStatus.QUEUED) + hintForEnqueue(from));
            }
            long seq = seqs.next(where);
            QueueEntry entry = changeTask(taskId, () -> {
                Document after = tasks.findOneAndUpdate(TaskDocs.inState(taskId, from, epoch),
                        TaskDocs.enqueue(queue, priority, seq, now()), AFTER);
                return after == null ? null : queued(after);
            });
            if (entry != null) return entry;
        }
        throw changedConcurrently(taskId);
    }

    @Override
    public void dequeue(String taskId) {
        for (int attempt = 0; attempt < CAS_ATTEMPTS; attempt++) {
            String queue = requireQueued(taskId, "dequeued");
            Boolean done = changeTask(taskId, () -> {
                Document after = tasks.findOneAndUpdate(TaskDocs.claimable(taskId, queue),
                        TaskDocs.dequeue(now()), AFTER);
                if (after == null) return null;
                left(taskId);
                return Boolean.TRUE;
            });
            if (done != null) return;
        }
        throw changedConcurrently(taskId);
    }

    @Override
    public void move(String taskId, Position position) {
        Position where = position == null ? Position.TOP : position;
        for (int attempt = 0; attempt < CAS_ATTEMPTS; attempt++) {
            String queue = requireQueued(taskId, "moved");
            long seq = seqs.next(where);
            QueueEntry entry = changeTask(taskId, () -> {
                Document after = tasks.findOneAndUpdate(TaskDocs.claimable(taskId, queue),
                        TaskDocs.move(seq, now()), AFTER);
                return after == null ? null : queued(after);
            });
            if (entry != null) return;
        }
        throw changedConcurrently(taskId);
    }

    // ---- claim ----------------------------------------------------------------------------

    @Override
    public Optional<Claim> claim(String worker, List<String> queues, boolean fairness, Fit fit) {
        Objects.requireNonNull(worker, "worker");
        Fit f = fit == null ? Fit.ANY : fit;
        int n = queues.size();
        if (n == 0) return Optional.empty();
        AtomicInteger turn = fairness ? rotation.computeIfAbsent(worker, w -> new AtomicInteger()) : null;
        int start = turn == null ? 0 : Math.floorMod(turn.get(), n);
        for (int k = 0; k < n; k++) {
            int i = (start + k) % n;
            Optional<Claim> claim = claimFrom(worker, queues.get(i), f);
            if (claim.isPresent()) {
                if (turn != null) turn.set(i + 1);
                return claim;
            }
        }
        return Optional.empty();
    }

    private Optional<Claim> claimFrom(String worker, String queue, Fit fit) {
        reloadLock.readLock().lock();
        try {
            QueueView v = view;
            for (QueueEntry candidate; (candidate = v.pollFirst(queue, fit)) != null; ) {
                Optional<Claim> claim = tryClaim(v, candidate, worker, queue);
                if (claim.isPresent()) return claim;
            }
            return Optional.empty();
        } finally {
            reloadLock.readLock().unlock();
        }
    }

    private Optional<Claim> tryClaim(QueueView v, QueueEntry candidate, String worker, String queue) {
        String token = LeaseTokens.newToken();
        Instant now = now();
        Instant expires = now.plus(lease);
        ReentrantLock lock = locks.of(candidate.taskId());
        lock.lock();
        try {
            Document after;
            try {
                after = tasks.findOneAndUpdate(TaskDocs.claimable(candidate.taskId(), queue),
                        TaskDocs.claim(worker, now, expires, LeaseTokens.hash(token)), AFTER);
            } catch (RuntimeException e) {
                v.restore(candidate);
                // whoever was woken for it may have found it popped by us and dropped its wake-up
                signals.signal(candidate);
                throw e;
            }
            if (after == null) {
                // Claimed, moved or removed elsewhere: the view was stale; try the next candidate.
                v.dropStale(candidate);
                return Optional.empty();
            }
            v.remove(candidate.taskId());
            listener.left(candidate.taskId());
            return Optional.of(new Claim(candidate.taskId(), queue, TaskDocs.epoch(after), token, expires, after));
        } finally {
            lock.unlock();
        }
    }

    /**
     * {@inheritDoc}
     *
     * <p>The future is completed on the queue's own timer thread: do not block in stages chained
     * to it; hop to your executor (with Vert.x: {@code Future.fromCompletionStage(f, context)}).
     * Every waiter of a queue that an enqueue there fits is woken by it; the losers of the claim race wait again.
     */
    @Override
    public CompletableFuture<Void> awaitWork(List<String> queues, Fit fit, Duration max) {
        List<String> names = List.copyOf(queues);
        Fit f = fit == null ? Fit.ANY : fit;
        return signals.await(names, f, max, () -> view.hasAny(names, f));
    }

    /**
     * {@inheritDoc}
     *
     * <p>Completed on the queue's own timer thread, like {@link #awaitWork}. An entry queued here or
     * replayed from another controller ({@link #observeExternalEnqueue}) wakes one turn per node.
     */
    @Override
    public CompletableFuture<WorkTurn> awaitTurn(List<String> queues, Fit fit, Duration max) {
        List<String> names = List.copyOf(queues);
        Fit f = fit == null ? Fit.ANY : fit;
        return signals.awaitTurn(names, f, max, () -> view.hasAny(names, f));
    }

    /** Wakes every poller of {@code queue}, e.g. when another controller enqueued there (which entries is unknown, so all). */
    public void notifyExternalEnqueue(String queue) {
        signals.signalAll(queue);
    }

    /**
     * Adds an entry that another controller enqueued, requeued or moved (from its {@link QueueListener})
     * to this node's view and wakes the pollers of its queue. A stale entry only costs a failed CAS.
     */
    public void observeExternalEnqueue(QueueEntry entry) {
        changeTask(entry.taskId(), () -> {
            view.put(entry);
            return Boolean.TRUE;
        });
        signals.signal(entry);
    }

    // ---- leases ---------------------------------------------------------------------------

    @Override
    public boolean extendLease(String taskId, long epoch) {
        return tasks.updateOne(TaskFields.fence(taskId, epoch), TaskDocs.extendLease(now().plus(lease)))
                .getMatchedCount() == 1;
    }

    @Override
    public boolean release(String taskId, long epoch, String reason) {
        String why = reason == null || reason.isBlank() ? "released by the worker" : reason;
        return giveUp(taskId, epoch, why, null) != null;
    }

    @Override
    public boolean unclaim(String taskId, long epoch, String reason) {
        String why = reason == null || reason.isBlank() ? "the claim was not delivered" : reason;
        Document filter = new Document(ID, taskId).append(STATUS, TaskDocs.RUNNING).append(EPOCH, epoch)
                .append(ABORT_REQUESTED, null);
        long seq = seqs.next(Position.TOP);
        Boolean done = changeTask(taskId, () -> {
            Document after = tasks.findOneAndUpdate(filter, TaskDocs.unclaim(seq, why, now()), AFTER);
            if (after == null) return false;
            queued(after);
            return true;
        });
        // not matched: an abort was requested meanwhile (release ends it as aborted), or the epoch is stale (false)
        return done || giveUp(taskId, epoch, why, null) != null;
    }

    @Override
    public List<Expired> expireLeases(Instant now) {
        Date before = Date.from(now);
        // A scan on the embedded store; it runs every few seconds on one node, and only running tasks match.
        List<Document> lost = tasks.find(new Document(STATUS, TaskDocs.RUNNING)
                        .append(LEASE_EXPIRES, new Document("$lt", before)))
                .projection(new Document(EPOCH, 1).append(LEASE_WORKER, 1))
                .into(new ArrayList<>());
        List<Expired> out = new ArrayList<>();
        for (Document d : lost) {
            String id = d.getString(ID);
            long epoch = TaskDocs.epoch(d);
            try {
                TaskStatus result = giveUp(id, epoch, WORKER_LOST, before);
                if (result != null) {
                    out.add(new Expired(id, TaskDocs.leaseWorker(d), epoch, result == TaskStatus.QUEUED));
                    log.info("lease of task {} (epoch {}, worker {}) expired: {}", id, epoch, TaskDocs.leaseWorker(d), result);
                }
            } catch (RuntimeException e) {
                log.warn("could not expire the lease of task {} (epoch {}); will retry on the next pass", id, epoch, e);
            }
        }
        return out;
    }

    /**
     * Ends the running attempt (taskId, epoch): aborted when an abort was requested, requeued at
     * the top while attempts remain, else failed. With {@code expiredBefore}, only if the lease
     * still ends before it (a heartbeat that got in first wins). Returns the new status, or null
     * when the task is no longer held under this epoch.
     */
    private TaskStatus giveUp(String taskId, long epoch, String reason, Date expiredBefore) {
        for (int attempt = 0; attempt < CAS_ATTEMPTS; attempt++) {
            Document doc = tasks.find(TaskFields.fence(taskId, epoch)).first();
            if (doc == null) return null;
            Date expires = TaskDocs.leaseExpires(doc);
            if (expiredBefore != null && expires != null && !expires.before(expiredBefore)) return null;

            // These extra conditions make the filter a scan on the embedded store; giving up is rare.
            Document filter = new Document(ID, taskId).append(STATUS, TaskDocs.RUNNING).append(EPOCH, epoch);
            if (expiredBefore != null) filter.append(LEASE_EXPIRES, new Document("$lt", expiredBefore));
            String abortReason = TaskDocs.abortReason(doc);
            TaskStatus target;
            long seq = 0;
            if (abortReason != null) {
                target = TaskStatus.ABORTED;
            } else {
                // An abort requested between our read and the CAS must not be turned into a requeue.
                filter.append(ABORT_REQUESTED, null);
                if (TaskDocs.attempt(doc) <= TaskDocs.retries(doc)) {
                    target = TaskStatus.QUEUED;
                    seq = seqs.next(Position.TOP);
                } else {
                    target = TaskStatus.FAILED;
                }
            }
            Document update = switch (target) {
                case QUEUED -> TaskDocs.requeue(seq, reason, now());
                case ABORTED -> TaskDocs.finish(TaskStatus.ABORTED, abortReason, now());
                default -> TaskDocs.finish(TaskStatus.FAILED, reason, now());
            };
            TaskStatus done = changeTask(taskId, () -> {
                Document after = tasks.findOneAndUpdate(filter, update, AFTER);
                if (after == null) return null;
                if (target == TaskStatus.QUEUED) queued(after);
                return target;
            });
            if (done != null) return done;
        }
        log.warn("task {} (epoch {}) kept changing while being given up; leaving it for the next pass", taskId, epoch);
        return null;
    }

    // ---- views ----------------------------------------------------------------------------

    @Override
    public List<QueueEntry> entries(String queue) {
        return view.entries(queue);
    }

    @Override
    public Map<String, Long> depths() {
        return view.depths();
    }

    @Override
    public void reload() {
        List<String> wake;
        reloadLock.writeLock().lock();
        try {
            QueueView fresh = new QueueView();
            long maxSeq = 0;
            long minSeq = 0;
            for (Document d : tasks.find(new Document(STATUS, TaskDocs.QUEUED)).projection(TaskDocs.ENTRY_FIELDS)) {
                QueueEntry e = TaskDocs.entry(d);
                if (e == null) {
                    log.warn("queued task {} names no queue; it cannot be claimed until it is enqueued again", d.get(ID));
                    continue;
                }
                fresh.put(e);
                if (e.seq() != Long.MAX_VALUE) maxSeq = Math.max(maxSeq, e.seq());
                minSeq = Math.min(minSeq, e.seq());
            }
            seqs.atLeast(maxSeq, minSeq);
            view = fresh;
            wake = fresh.nonEmptyQueues();
        } finally {
            reloadLock.writeLock().unlock();
        }
        // a reload may add any number of entries per queue: wake every poller of those queues
        wake.forEach(signals::signalAll);
    }

    @Override
    public void forget(String taskId) {
        changeTask(taskId, () -> view.remove(taskId) != null ? Boolean.TRUE : Boolean.FALSE);
    }

    /** Wakes all waiters and stops the wake-up timer. The collections stay open (the caller owns the client). */
    @Override
    public void close() {
        signals.close();
    }

    // ---- helpers --------------------------------------------------------------------------

    /** Runs one task's store change and view update as one step with respect to this node and reload. */
    private <T> T changeTask(String taskId, Supplier<T> change) {
        reloadLock.readLock().lock();
        try {
            ReentrantLock lock = locks.of(taskId);
            lock.lock();
            try {
                return change.get();
            } finally {
                lock.unlock();
            }
        } finally {
            reloadLock.readLock().unlock();
        }
    }

    /** Puts a task that the store now has as queued into the view; wakes its pollers. */
    private QueueEntry queued(Document after) {
        QueueEntry entry = TaskDocs.entry(after);
        view.put(entry);
        listener.queued(entry);
        signals.signal(entry);
        return entry;
    }

    private void left(String taskId) {
        view.remove(taskId);
        listener.left(taskId);
    }

    /** Status, epoch and queue of a task, read to build the compare-and-set filter of a change. */
    private Document currentState(String taskId) {
        Document doc = tasks.find(TaskDocs.byId(taskId)).projection(TaskDocs.STATE_FIELDS).first();
        if (doc == null) throw DroverException.notFound("task", taskId);
        return doc;
    }

    /** Returns the queue of a queued task; else not_found or conflict. */
    private String requireQueued(String taskId, String verb) {
        Document state = currentState(taskId);
        TaskStatus s = TaskDocs.status(state);
        if (s == TaskStatus.QUEUED) return state.getString(QUEUE);
        throw DroverException.conflict("task '" + taskId + "' is '" + s.wire() + "', not 'queued': only a queued task can be "
                + verb + (s == TaskStatus.CREATED || s.isFinal() ? "; enqueue it first" : ""));
    }

    private static String hintForEnqueue(TaskStatus from) {
        return switch (from) {
            case QUEUED -> ": it is already queued; move or dequeue it instead";
            case RUNNING -> ": it is running; abort it or wait until it finishes, then enqueue it again";
            default -> "";
        };
    }

    private static DroverException changedConcurrently(String taskId) {
        return DroverException.conflict("task '" + taskId + "' kept changing while this request ran; try again");
    }

    private Instant now() {
        // The store keeps milliseconds; truncating here keeps returned instants equal to stored ones.
        return clock.instant().truncatedTo(ChronoUnit.MILLIS);
    }
}

package io.drover.queue;

import com.mongodb.client.MongoCollection;
import com.mongodb.client.MongoDatabase;
import io.drover.queue.TaskQueue.Claim;
import io.drover.queue.TaskQueue.Expired;
import io.drover.queue.TaskQueue.Position;
import io.drover.queue.TaskQueue.QueueEntry;
import io.drover.queue.mongo.LeaseTokens;
import io.drover.queue.mongo.MongoTaskQueue;
import io.drover.queue.mongo.QueueListener;
import io.drover.shared.domain.DroverException;
import io.drover.shared.domain.ErrorCode;
import io.drover.shared.domain.Ids;
import org.bson.Document;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The behaviour every {@link TaskQueue} store must have. Written once; each store's test class
 * only says where its database comes from ({@link #freshDatabase}).
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
public abstract class TaskQueueContractTest {
    protected static final Duration LEASE = Duration.ofSeconds(30);
    private static final AtomicInteger DB_SEQ = new AtomicInteger();

    protected MongoDatabase db;
    protected MongoCollection<Document> tasks;
    protected MongoTaskQueue queue;
    private final List<MongoTaskQueue> opened = new ArrayList<>();

    /** A database that no other test uses (it is dropped afterwards). */
    protected abstract MongoDatabase freshDatabase(String name);

    @BeforeEach
    void openQueue() {
        db = freshDatabase("drover_queue_test_" + ProcessHandle.current().pid() + "_" + DB_SEQ.incrementAndGet());
        tasks = db.getCollection(TaskFields.COLLECTION);
        queue = newQueue();
    }

    @AfterEach
    void closeQueue() {
        opened.forEach(MongoTaskQueue::close);
        if (db != null) db.drop();
    }

    /** Another queue object on the same store: a restarted or second controller. */
    protected MongoTaskQueue newQueue() {
        MongoTaskQueue q = new MongoTaskQueue(db, LEASE, Clock.systemUTC());
        opened.add(q);
        return q;
    }

    // ---- fixtures -------------------------------------------------------------------------

    protected String createdTask() {
        return createdTask(null);
    }

    protected String createdTask(Integer retries) {
        String id = Ids.newId();
        Document doc = new Document(TaskFields.ID, id).append("name", "t").append(TaskFields.STATUS, "created")
                .append(TaskFields.EPOCH, 0L).append(TaskFields.EXECUTION, new Document("attempt", 0))
                .append(TaskFields.UPDATED_AT, new Date());
        if (retries != null) doc.append(TaskFields.RETRIES, retries);
        tasks.insertOne(doc);
        return id;
    }

    protected String enqueued(String q, int priority, Position position) {
        String id = createdTask();
        queue.enqueue(id, q, priority, position);
        return id;
    }

    protected List<String> enqueued(String q, int n) {
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < n; i++) ids.add(enqueued(q, 0, Position.BOTTOM));
        return ids;
    }

    /** Queued task documents written straight to the store (as if enqueued earlier, by any node). */
    protected List<String> insertQueued(String q, int n) {
        List<Document> docs = new ArrayList<>();
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            String id = Ids.newId();
            ids.add(id);
            docs.add(new Document(TaskFields.ID, id).append(TaskFields.STATUS, "queued").append(TaskFields.QUEUE, q)
                    .append(TaskFields.PRIORITY, 0).append(TaskFields.QUEUED_SEQ, (long) i + 1)
                    .append(TaskFields.QUEUED_AT, new Date()).append(TaskFields.EPOCH, 0L)
                    .append(TaskFields.EXECUTION, new Document("attempt", 0)));
        }
        tasks.insertMany(docs);
        return ids;
    }

    protected Document doc(String id) {
        return tasks.find(TaskFields.byId(id)).first();
    }

    protected Claim claimOne(String worker, String... queues) {
        Optional<Claim> c = queue.claim(worker, List.of(queues), false);
        assertThat(c).as("a claimable task in %s", List.of(queues)).isPresent();
        return c.get();
    }

    protected List<String> drain(MongoTaskQueue q, String worker, List<String> queues, boolean fairness) {
        List<String> out = new ArrayList<>();
        for (Optional<Claim> c; (c = q.claim(worker, queues, fairness)).isPresent(); ) out.add(c.get().taskId());
        return out;
    }

    protected static List<String> ids(List<QueueEntry> entries) {
        return entries.stream().map(QueueEntry::taskId).toList();
    }

    protected void complete(Claim c) {
        long n = tasks.updateOne(TaskFields.fence(c.taskId(), c.epoch()),
                new Document("$set", new Document(TaskFields.STATUS, "completed"))).getMatchedCount();
        assertThat(n).isEqualTo(1);
    }

    private Instant afterLease() {
        return Instant.now().plus(LEASE).plusSeconds(1);
    }

    // ---- order ----------------------------------------------------------------------------

    @Test
    void fifoWithinPriority() {
        List<String> ids = enqueued("q", 5);
        assertThat(drain(queue, "w", List.of("q"), false)).containsExactlyElementsOf(ids);
    }

    @Test
    void higherPriorityIsClaimedFirst() {
        String low = enqueued("q", 0, Position.BOTTOM);
        String high = enqueued("q", 10, Position.BOTTOM);
        String mid = enqueued("q", 5, Position.BOTTOM);
        String low2 = enqueued("q", 0, Position.BOTTOM);
        assertThat(drain(queue, "w", List.of("q"), false)).containsExactly(high, mid, low, low2);
    }

    @Test
    void topEnqueueGoesBeforeItsPriorityButNotBeforeHigherOnes() {
        String a = enqueued("q", 0, Position.BOTTOM);
        String b = enqueued("q", 0, Position.BOTTOM);
        String high = enqueued("q", 1, Position.BOTTOM);
        String top1 = enqueued("q", 0, Position.TOP);
        String top2 = enqueued("q", 0, Position.TOP);
        assertThat(ids(queue.entries("q"))).containsExactly(high, top2, top1, a, b);
        assertThat(drain(queue, "w", List.of("q"), false)).containsExactly(high, top2, top1, a, b);
    }

    @Test
    void moveToTopAndBottomOfItsPriority() {
        List<String> ids = enqueued("q", 4);
        String high = enqueued("q", 9, Position.BOTTOM);
        queue.move(ids.get(2), Position.TOP);
        assertThat(ids(queue.entries("q"))).containsExactly(high, ids.get(2), ids.get(0), ids.get(1), ids.get(3));
        queue.move(ids.get(0), Position.BOTTOM);
        assertThat(ids(queue.entries("q"))).containsExactly(high, ids.get(2), ids.get(1), ids.get(3), ids.get(0));
        assertThat(drain(queue, "w", List.of("q"), false))
                .containsExactly(high, ids.get(2), ids.get(1), ids.get(3), ids.get(0));
    }

    @Test
    void moveOrDequeueOfATaskThatIsNotQueuedIsAConflict() {
        String created = createdTask();
        assertThatThrownBy(() -> queue.move(created, Position.TOP)).isInstanceOfSatisfying(DroverException.class, e -> {
            assertThat(e.code()).isEqualTo(ErrorCode.CONFLICT);
            assertThat(e.getMessage()).contains("'created'", "'queued'");
        });
        assertThatThrownBy(() -> queue.dequeue(created)).isInstanceOfSatisfying(DroverException.class,
                e -> assertThat(e.code()).isEqualTo(ErrorCode.CONFLICT));
        assertThatThrownBy(() -> queue.dequeue(Ids.newId())).isInstanceOfSatisfying(DroverException.class,
                e -> assertThat(e.code()).isEqualTo(ErrorCode.NOT_FOUND));
    }

    @Test
    void dequeueReturnsTheTaskToCreatedAndOutOfTheQueue() {
        List<String> ids = enqueued("q", 3);
        queue.dequeue(ids.get(1));
        Document d = doc(ids.get(1));
        assertThat(d.getString(TaskFields.STATUS)).isEqualTo("created");
        assertThat(d.containsKey(TaskFields.QUEUED_SEQ)).isFalse();
        assertThat(ids(queue.entries("q"))).containsExactly(ids.get(0), ids.get(2));
        assertThat(queue.depths()).containsEntry("q", 2L);
        assertThat(drain(queue, "w", List.of("q"), false)).containsExactly(ids.get(0), ids.get(2));
    }

    @Test
    void entriesAreInClaimOrderAndDepthsCountEachQueue() {
        String a1 = enqueued("a", 0, Position.BOTTOM);
        String a2 = enqueued("a", 3, Position.BOTTOM);
        String b1 = enqueued("b", 0, Position.BOTTOM);
        List<QueueEntry> a = queue.entries("a");
        assertThat(ids(a)).containsExactly(a2, a1);
        assertThat(a.get(0).queue()).isEqualTo("a");
        assertThat(a.get(0).priority()).isEqualTo(3);
        assertThat(a.get(0).queuedAt()).isNotNull();
        assertThat(ids(queue.entries("b"))).containsExactly(b1);
        assertThat(queue.entries("none")).isEmpty();
        assertThat(queue.depths()).isEqualTo(Map.of("a", 2L, "b", 1L));
        claimOne("w", "b");
        assertThat(queue.depths()).isEqualTo(Map.of("a", 2L));
    }

    @Test
    void enqueueWritesTheQueueFieldsAndClearsLeftovers() {
        String id = createdTask();
        tasks.updateOne(TaskFields.byId(id), new Document("$set", new Document(TaskFields.STATUS_REASON, "old")
                .append(TaskFields.ABORT_REQUESTED, new Document("reason", "x"))));
        QueueEntry e = queue.enqueue(id, "q", 7, Position.BOTTOM);
        Document d = doc(id);
        assertThat(d.getString(TaskFields.STATUS)).isEqualTo("queued");
        assertThat(d.getString(TaskFields.QUEUE)).isEqualTo("q");
        assertThat(d.getInteger(TaskFields.PRIORITY)).isEqualTo(7);
        assertThat(d.get(TaskFields.QUEUED_SEQ, Number.class).longValue()).isEqualTo(e.seq()).isPositive();
        assertThat(d.getDate(TaskFields.QUEUED_AT)).isNotNull();
        assertThat(d.get(TaskFields.STATUS_REASON)).isNull();
        assertThat(d.containsKey(TaskFields.ABORT_REQUESTED)).isFalse();
        assertThat(e).isEqualTo(new QueueEntry(id, "q", 7, e.seq(), d.getDate(TaskFields.QUEUED_AT).toInstant()));
    }

    // ---- several queues -------------------------------------------------------------------

    @Test
    void queuesAreTriedInTheWorkersOrderWithoutFairness() {
        List<String> a = enqueued("a", 3);
        List<String> b = enqueued("b", 3);
        List<String> expected = new ArrayList<>(b);
        expected.addAll(a);
        assertThat(drain(queue, "w", List.of("b", "a"), false)).containsExactlyElementsOf(expected);
    }

    @Test
    void fairnessRoundRobinsOverTheQueuesPerWorker() {
        List<String> a = enqueued("a", 3);
        List<String> b = enqueued("b", 2);
        List<String> queues = List.of("a", "b");
        assertThat(claimFair("w1", queues)).isEqualTo(a.get(0));
        assertThat(claimFair("w1", queues)).isEqualTo(b.get(0));
        // another worker's rotation is its own: it starts at its first queue
        assertThat(claimFair("w2", queues)).isEqualTo(a.get(1));
        assertThat(claimFair("w1", queues)).isEqualTo(a.get(2));
        assertThat(claimFair("w1", queues)).isEqualTo(b.get(1));
        assertThat(queue.claim("w1", queues, true)).isEmpty();
    }

    @Test
    void fairnessSkipsAnEmptyQueueWithoutLosingTheTurn() {
        List<String> a = enqueued("a", 2);
        List<String> queues = List.of("a", "b");
        assertThat(claimFair("w", queues)).isEqualTo(a.get(0));
        assertThat(claimFair("w", queues)).isEqualTo(a.get(1)); // b is empty: a again
        String b = enqueued("b", 0, Position.BOTTOM);
        String a3 = enqueued("a", 0, Position.BOTTOM);
        assertThat(claimFair("w", queues)).isEqualTo(b);
        assertThat(claimFair("w", queues)).isEqualTo(a3);
    }

    private String claimFair(String worker, List<String> queues) {
        return queue.claim(worker, queues, true).orElseThrow().taskId();
    }

    // ---- claims under contention ----------------------------------------------------------

    @Test
    void eightConcurrentClaimersNeverClaimATaskTwice() throws Exception {
        List<String> ids = insertQueued("q", 2000);
        queue.reload();
        Map<String, String> claimedBy = claimConcurrently(List.of(queue), 8, "q");
        assertThat(claimedBy).hasSize(2000);
        assertThat(claimedBy.keySet()).containsExactlyInAnyOrderElementsOf(ids);
        assertThat(tasks.countDocuments(new Document(TaskFields.STATUS, "running"))).isEqualTo(2000);
        assertThat(tasks.countDocuments(new Document(TaskFields.EPOCH, 1L))).isEqualTo(2000);
        assertThat(queue.depths()).isEmpty();
    }

    @Test
    void twoControllersOnOneStoreNeverClaimATaskTwice() throws Exception {
        List<String> ids = insertQueued("q", 400);
        MongoTaskQueue other = newQueue(); // both views hold every task: half of the CAS tries lose
        queue.reload();
        Map<String, String> claimedBy = claimConcurrently(List.of(queue, other), 8, "q");
        assertThat(claimedBy.keySet()).containsExactlyInAnyOrderElementsOf(ids);
        assertThat(tasks.countDocuments(new Document(TaskFields.EPOCH, 1L))).isEqualTo(400);
        // each view dropped the entries the other node claimed
        assertThat(queue.depths()).isEmpty();
        assertThat(other.depths()).isEmpty();
    }

    /** Claims until every claimer finds nothing; fails on any task claimed twice. */
    private Map<String, String> claimConcurrently(List<MongoTaskQueue> nodes, int threads, String q) throws Exception {
        Map<String, String> claimedBy = new ConcurrentHashMap<>();
        Set<String> doubles = ConcurrentHashMap.newKeySet();
        CountDownLatch start = new CountDownLatch(1);
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            List<Future<?>> done = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                MongoTaskQueue node = nodes.get(t % nodes.size());
                String worker = "w" + t;
                done.add(pool.submit(() -> {
                    start.await();
                    for (Optional<Claim> c; (c = node.claim(worker, List.of(q), false)).isPresent(); ) {
                        if (claimedBy.putIfAbsent(c.get().taskId(), worker) != null) doubles.add(c.get().taskId());
                    }
                    return null;
                }));
            }
            start.countDown();
            for (Future<?> f : done) f.get(50, TimeUnit.SECONDS);
        } finally {
            pool.shutdownNow();
        }
        assertThat(doubles).as("tasks claimed twice").isEmpty();
        return claimedBy;
    }

    // ---- leases and epochs ----------------------------------------------------------------

    @Test
    void eachClaimIncrementsTheEpochAndWritesTheLease() {
        String id = enqueued("q", 0, Position.BOTTOM);
        Claim c = claimOne("w1", "q");
        assertThat(c.taskId()).isEqualTo(id);
        assertThat(c.queue()).isEqualTo("q");
        assertThat(c.epoch()).isEqualTo(1);
        Document d = doc(id);
        assertThat(d.getString(TaskFields.STATUS)).isEqualTo("running");
        assertThat(d.getString(TaskFields.QUEUE)).isEqualTo("q");
        assertThat(d.containsKey(TaskFields.QUEUED_SEQ)).isFalse();
        Document lease = d.get(TaskFields.LEASE, Document.class);
        assertThat(lease.getString("worker")).isEqualTo("w1");
        assertThat(lease.getDate("expiresAt").toInstant()).isEqualTo(c.expiresAt());
        assertThat(lease.getString("tokenHash")).isEqualTo(LeaseTokens.hash(c.token())).doesNotContain(c.token());
        assertThat(LeaseTokens.matches(c.token(), lease.getString("tokenHash"))).isTrue();
        Document exec = d.get(TaskFields.EXECUTION, Document.class);
        assertThat(exec.getString("worker")).isEqualTo("w1");
        assertThat(exec.get("attempt", Number.class).intValue()).isEqualTo(1);
        assertThat(exec.getDate("startedAt")).isNotNull();
        assertThat(c.task().getString(TaskFields.STATUS)).isEqualTo("running");
        assertThat(c.expiresAt()).isAfter(Instant.now().plus(LEASE).minusSeconds(5));

        // requeued and claimed again: a new epoch; the old one is refused everywhere
        assertThat(queue.release(id, 1, "agent shut down")).isTrue();
        Claim again = claimOne("w2", "q");
        assertThat(again.epoch()).isEqualTo(2);
        assertThat(queue.extendLease(id, 1)).isFalse();
        assertThat(queue.release(id, 1, "late")).isFalse();
        assertThat(queue.extendLease(id, 2)).isTrue();
        assertThat(doc(id).getString(TaskFields.STATUS)).isEqualTo("running");
    }

    @Test
    void extendLeaseMovesTheExpiryAndExpiryRespectsIt() throws Exception {
        String id = enqueued("q", 0, Position.BOTTOM);
        Claim c = claimOne("w", "q");
        Thread.sleep(20);
        assertThat(queue.extendLease(id, c.epoch())).isTrue();
        Date extended = doc(id).get(TaskFields.LEASE, Document.class).getDate("expiresAt");
        assertThat(extended.toInstant()).isAfter(c.expiresAt());
        // not expired yet: nothing happens
        assertThat(queue.expireLeases(Instant.now().plus(LEASE).minusSeconds(5))).isEmpty();
        assertThat(doc(id).getString(TaskFields.STATUS)).isEqualTo("running");
        assertThat(queue.extendLease(Ids.newId(), 1)).isFalse();
    }

    @Test
    void anExpiredLeaseRequeuesAtTheTopThenFailsWithWorkerLost() {
        String id = enqueued("q", 0, Position.BOTTOM);
        Claim first = claimOne("w1", "q");
        String waiting = enqueued("q", 0, Position.BOTTOM);

        List<Expired> expired = queue.expireLeases(afterLease());
        assertThat(expired).containsExactly(new Expired(id, "w1", first.epoch(), true));
        Document d = doc(id);
        assertThat(d.getString(TaskFields.STATUS)).isEqualTo("queued");
        assertThat(d.getString(TaskFields.STATUS_REASON)).isEqualTo("requeued: worker lost");
        assertThat(d.get(TaskFields.LEASE)).isNull();
        assertThat(ids(queue.entries("q"))).containsExactly(id, waiting);

        Claim second = claimOne("w2", "q");
        assertThat(second.taskId()).isEqualTo(id);
        assertThat(second.epoch()).isEqualTo(first.epoch() + 1);
        assertThat(second.task().get(TaskFields.EXECUTION, Document.class).get("attempt", Number.class).intValue())
                .isEqualTo(2);

        // attempt 2 > retries 1 (the default): failed for good
        assertThat(queue.expireLeases(afterLease())).containsExactly(new Expired(id, "w2", second.epoch(), false));
        d = doc(id);
        assertThat(d.getString(TaskFields.STATUS)).isEqualTo("failed");
        assertThat(d.getString(TaskFields.STATUS_REASON)).isEqualTo("worker lost");
        assertThat(d.get(TaskFields.EXECUTION, Document.class).getDate("finishedAt")).isNotNull();
        assertThat(ids(queue.entries("q"))).containsExactly(waiting);
        assertThat(queue.expireLeases(afterLease())).isEmpty();
    }

    @Test
    void retriesZeroFailsOnTheFirstLostLease() {
        String id = createdTask(0);
        queue.enqueue(id, "q", 0, Position.BOTTOM);
        Claim c = claimOne("w", "q");
        assertThat(queue.expireLeases(afterLease())).containsExactly(new Expired(id, "w", c.epoch(), false));
        assertThat(doc(id).getString(TaskFields.STATUS)).isEqualTo("failed");
    }

    @Test
    void anAbortRequestWinsOverRequeueOnExpiryAndOnRelease() {
        String a = enqueued("q", 0, Position.BOTTOM);
        String b = enqueued("q", 0, Position.BOTTOM);
        Claim ca = claimOne("w", "q");
        Claim cb = claimOne("w", "q");
        for (String id : List.of(a, b)) {
            tasks.updateOne(TaskFields.byId(id), new Document("$set", new Document(TaskFields.ABORT_REQUESTED,
                    new Document("reason", "stopped by alice").append("at", new Date()))));
        }
        assertThat(queue.release(b, cb.epoch(), "agent shut down")).isTrue();
        assertThat(doc(b).getString(TaskFields.STATUS)).isEqualTo("aborted");
        assertThat(doc(b).getString(TaskFields.STATUS_REASON)).isEqualTo("stopped by alice");

        assertThat(queue.expireLeases(afterLease())).containsExactly(new Expired(a, "w", ca.epoch(), false));
        Document d = doc(a);
        assertThat(d.getString(TaskFields.STATUS)).isEqualTo("aborted");
        assertThat(d.getString(TaskFields.STATUS_REASON)).isEqualTo("stopped by alice");
        assertThat(d.get(TaskFields.EXECUTION, Document.class).getDate("finishedAt")).isNotNull();
        assertThat(queue.entries("q")).isEmpty();
    }

    @Test
    void releaseRequeuesAtTheTopWhileRetriesAllowThenFails() {
        List<String> ids = enqueued("q", 3);
        Claim c = claimOne("w", "q");
        assertThat(queue.release(c.taskId(), c.epoch(), "agent shut down")).isTrue();
        assertThat(doc(c.taskId()).getString(TaskFields.STATUS_REASON)).isEqualTo("requeued: agent shut down");
        assertThat(ids(queue.entries("q"))).containsExactlyElementsOf(ids);
        Claim again = claimOne("w", "q");
        assertThat(again.taskId()).isEqualTo(ids.get(0));
        assertThat(queue.release(again.taskId(), again.epoch(), "agent shut down")).isTrue();
        Document d = doc(again.taskId());
        assertThat(d.getString(TaskFields.STATUS)).isEqualTo("failed");
        assertThat(d.getString(TaskFields.STATUS_REASON)).isEqualTo("agent shut down");
        assertThat(queue.release(again.taskId(), again.epoch(), "twice")).isFalse();
    }

    @Test
    void unclaimPutsAnUndeliveredClaimBackWithoutCountingTheAttempt() {
        String id = createdTask(0); // no retries: a counted attempt would fail it "worker lost"
        queue.enqueue(id, "q", 0, Position.BOTTOM);
        String later = enqueued("q", 0, Position.BOTTOM);
        Claim c = claimOne("w", "q");
        assertThat(c.taskId()).isEqualTo(id);
        assertThat(queue.unclaim(id, c.epoch(), "the claim could not be delivered")).isTrue();
        Document d = doc(id);
        assertThat(d.getString(TaskFields.STATUS)).isEqualTo("queued");
        assertThat(d.getString(TaskFields.STATUS_REASON)).isEqualTo("requeued: the claim could not be delivered");
        assertThat(TaskQueueContractTest.<Number>execution(d, "attempt").intValue()).isZero();
        assertThat(ids(queue.entries("q"))).containsExactly(id, later); // back at the top
        assertThat(queue.extendLease(id, c.epoch())).isFalse(); // the undelivered lease is dead
        assertThat(queue.unclaim(id, c.epoch(), "twice")).isFalse();

        Claim again = claimOne("w2", "q");
        assertThat(again.taskId()).isEqualTo(id);
        assertThat(again.epoch()).isGreaterThan(c.epoch());
        assertThat(TaskQueueContractTest.<Number>execution(doc(id), "attempt").intValue()).isEqualTo(1);
    }

    @Test
    void unclaimOfATaskWhoseAbortWasRequestedAbortsIt() {
        String id = enqueued("q", 0, Position.BOTTOM);
        Claim c = claimOne("w", "q");
        tasks.updateOne(TaskFields.byId(id), new Document("$set", new Document(TaskFields.ABORT_REQUESTED,
                new Document("reason", "stopped by alice").append("at", new Date()))));
        assertThat(queue.unclaim(id, c.epoch(), "not delivered")).isTrue();
        assertThat(doc(id).getString(TaskFields.STATUS)).isEqualTo("aborted");
        assertThat(queue.entries("q")).isEmpty();
    }

    @SuppressWarnings("unchecked")
    private static <T> T execution(Document d, String field) {
        return (T) d.get(TaskFields.EXECUTION, Document.class).get(field);
    }

    @Test
    void aFinishedTaskCanBeEnqueuedAgainAsAFreshRun() {
        String id = enqueued("q", 0, Position.BOTTOM);
        Claim c = claimOne("w", "q");
        complete(c);
        queue.enqueue(id, "other", 2, Position.TOP);
        Document d = doc(id);
        assertThat(d.getString(TaskFields.STATUS)).isEqualTo("queued");
        assertThat(d.get(TaskFields.EXECUTION, Document.class).get("attempt", Number.class).intValue()).isZero();
        Claim again = claimOne("w", "other");
        assertThat(again.epoch()).isEqualTo(2);
        assertThat(again.task().get(TaskFields.EXECUTION, Document.class).get("attempt", Number.class).intValue())
                .isEqualTo(1);
    }

    // ---- refusals -------------------------------------------------------------------------

    @Test
    void enqueueOfARunningTaskIsAConflictNamingBothStates() {
        String id = enqueued("q", 0, Position.BOTTOM);
        claimOne("w", "q");
        assertThatThrownBy(() -> queue.enqueue(id, "q", 0, Position.BOTTOM))
                .isInstanceOfSatisfying(DroverException.class, e -> {
                    assertThat(e.code()).isEqualTo(ErrorCode.CONFLICT);
                    assertThat(e.getMessage()).contains("'running'", "'queued'");
                });
        assertThat(doc(id).getString(TaskFields.STATUS)).isEqualTo("running");
    }

    @Test
    void aTaskDocumentWithoutQueueFieldsOrEpochCanBeEnqueued() {
        String id = Ids.newId();
        tasks.insertOne(new Document(TaskFields.ID, id).append(TaskFields.STATUS, "created"));
        queue.enqueue(id, "q", 0, Position.BOTTOM);
        Claim c = claimOne("w", "q");
        assertThat(c.taskId()).isEqualTo(id);
        assertThat(c.epoch()).isEqualTo(1);
        assertThat(queue.extendLease(id, 1)).isTrue();
    }

    @Test
    void enqueueOfAQueuedTaskIsAConflict() {
        String id = enqueued("q", 0, Position.BOTTOM);
        assertThatThrownBy(() -> queue.enqueue(id, "q", 5, Position.TOP))
                .isInstanceOfSatisfying(DroverException.class, e -> {
                    assertThat(e.code()).isEqualTo(ErrorCode.CONFLICT);
                    assertThat(e.getMessage()).contains("already queued");
                });
        assertThat(queue.entries("q")).hasSize(1);
    }

    @Test
    void enqueueOfAnUnknownTaskIsNotFoundAndABadQueueNameIsRefused() {
        String unknown = Ids.newId();
        assertThatThrownBy(() -> queue.enqueue(unknown, "q", 0, Position.BOTTOM))
                .isInstanceOfSatisfying(DroverException.class, e -> {
                    assertThat(e.code()).isEqualTo(ErrorCode.NOT_FOUND);
                    assertThat(e.getMessage()).contains(unknown);
                });
        String id = createdTask();
        assertThatThrownBy(() -> queue.enqueue(id, "bad name!", 0, Position.BOTTOM))
                .isInstanceOfSatisfying(DroverException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.BAD_REQUEST));
        assertThat(doc(id).getString(TaskFields.STATUS)).isEqualTo("created");
    }

    // ---- restart and several controllers -------------------------------------------------

    @Test
    void aFreshQueueOnTheSameStoreClaimsInTheSameOrder() {
        List<String> plain = enqueued("q", 4);
        String high = enqueued("q", 5, Position.BOTTOM);
        String top = enqueued("q", 0, Position.TOP);
        queue.move(plain.get(3), Position.TOP);
        queue.dequeue(plain.get(1));
        enqueued("other", 2);
        List<String> order = ids(queue.entries("q"));
        assertThat(order).containsExactly(high, plain.get(3), top, plain.get(0), plain.get(2));

        MongoTaskQueue restarted = newQueue();
        assertThat(ids(restarted.entries("q"))).containsExactlyElementsOf(order);
        assertThat(restarted.depths()).isEqualTo(queue.depths());
        // the seq counter lives in the store: new enqueues land behind / in front of the old ones
        String last = createdTask();
        String first = createdTask();
        restarted.enqueue(last, "q", 0, Position.BOTTOM);
        restarted.enqueue(first, "q", 0, Position.TOP);
        List<String> expected = new ArrayList<>(List.of(high, first, plain.get(3), top, plain.get(0), plain.get(2), last));
        assertThat(drain(restarted, "w", List.of("q"), false)).containsExactlyElementsOf(expected);
    }

    @Test
    void reloadPicksUpTasksQueuedByAnotherWriterAndSeedsTheCounter() {
        List<String> ids = insertQueued("q", 3); // seqs 1..3, written without the counter
        assertThat(queue.entries("q")).isEmpty();
        queue.reload();
        assertThat(ids(queue.entries("q"))).containsExactlyElementsOf(ids);
        String later = enqueued("q", 0, Position.BOTTOM);
        assertThat(queue.entries("q").get(3).seq()).isGreaterThan(3);
        assertThat(ids(queue.entries("q")).get(3)).isEqualTo(later);
    }

    @Test
    void seqsStayMonotonicAcrossControllersSharingTheStore() {
        MongoTaskQueue other = newQueue();
        String a = createdTask();
        String b = createdTask();
        String c = createdTask();
        long sa = queue.enqueue(a, "q", 0, Position.BOTTOM).seq();
        long sb = other.enqueue(b, "q", 0, Position.BOTTOM).seq();
        long sc = queue.enqueue(c, "q", 0, Position.BOTTOM).seq();
        assertThat(sa).isLessThan(sb);
        assertThat(sb).isLessThan(sc);
        queue.reload();
        assertThat(ids(queue.entries("q"))).containsExactly(a, b, c);
    }

    @Test
    void aListenerReplaysChangesOnAnotherControllersView() throws Exception {
        MongoTaskQueue other = newQueue();
        queue.setListener(new QueueListener() {
            @Override
            public void queued(QueueEntry entry) {
                other.observeExternalEnqueue(entry);
            }

            @Override
            public void left(String taskId) {
                other.forget(taskId);
            }
        });
        CompletableFuture<Void> woken = other.awaitWork(List.of("q"), Duration.ofSeconds(5));
        String a = enqueued("q", 0, Position.BOTTOM);
        String b = enqueued("q", 0, Position.BOTTOM);
        woken.get(2, TimeUnit.SECONDS);
        assertThat(ids(other.entries("q"))).containsExactly(a, b);
        claimOne("w", "q");
        assertThat(ids(other.entries("q"))).containsExactly(b);
        assertThat(other.claim("w2", List.of("q"), false).orElseThrow().taskId()).isEqualTo(b);
        // the claim on `other` left a stale entry in `queue` (no listener that way): it is skipped
        assertThat(queue.claim("w", List.of("q"), false)).isEmpty();
        assertThat(queue.entries("q")).isEmpty();
    }

    // ---- long-poll wake-ups ---------------------------------------------------------------

    @Test
    void awaitWorkWakesWithinMillisecondsOfAnEnqueue() throws Exception {
        String id = createdTask();
        for (int round = 0; round < 3; round++) {
            CompletableFuture<Void> f = queue.awaitWork(List.of("x", "q"), Duration.ofSeconds(10));
            Thread.sleep(30);
            assertThat(f).isNotDone();
            queue.enqueue(id, "q", 0, Position.BOTTOM);
            long enqueued = System.nanoTime();
            f.get(2, TimeUnit.SECONDS);
            long wokeMs = (System.nanoTime() - enqueued) / 1_000_000;
            assertThat(wokeMs).as("wake-up delay after the enqueue returned (tens of ms; loose for busy CI)").isLessThan(400);
            queue.dequeue(id);
        }
    }

    @Test
    void awaitWorkCompletesAtOnceWhenWorkIsWaitingAndTimesOutOtherwise() throws Exception {
        enqueued("q", 0, Position.BOTTOM);
        assertThat(queue.awaitWork(List.of("q"), Duration.ofSeconds(10))).isDone();

        long start = System.nanoTime();
        CompletableFuture<Void> f = queue.awaitWork(List.of("empty"), Duration.ofMillis(200));
        f.get(5, TimeUnit.SECONDS);
        long ms = (System.nanoTime() - start) / 1_000_000;
        assertThat(ms).isBetween(180L, 2000L);
        assertThat(f).isCompletedWithValue(null);
    }

    @Test
    void awaitWorkIsWokenByRequeueAndMoveAndByTheExternalHook() throws Exception {
        String id = enqueued("q", 0, Position.BOTTOM);
        Claim c = claimOne("w", "q");
        CompletableFuture<Void> f = queue.awaitWork(List.of("q"), Duration.ofSeconds(10));
        assertThat(f).isNotDone();
        queue.release(id, c.epoch(), "agent shut down");
        f.get(2, TimeUnit.SECONDS);

        CompletableFuture<Void> g = queue.awaitWork(List.of("elsewhere"), Duration.ofSeconds(10));
        queue.notifyExternalEnqueue("elsewhere");
        g.get(2, TimeUnit.SECONDS);
    }

    @Test
    void closeCompletesWaitersAndLaterAwaitsReturnAtOnce() throws Exception {
        MongoTaskQueue q = newQueue();
        CompletableFuture<Void> f = q.awaitWork(List.of("q"), Duration.ofSeconds(30));
        q.close();
        f.get(2, TimeUnit.SECONDS);
        assertThat(q.awaitWork(List.of("q"), Duration.ofSeconds(30))).isDone();
    }

    @Test
    void forgetDropsATaskThatLeftByAnotherPath() {
        List<String> ids = enqueued("q", 2);
        tasks.updateOne(TaskFields.byId(ids.get(0)), new Document("$set", new Document(TaskFields.STATUS, "aborted")));
        queue.forget(ids.get(0));
        assertThat(ids(queue.entries("q"))).containsExactly(ids.get(1));
        assertThat(drain(queue, "w", List.of("q"), false)).containsExactly(ids.get(1));
        assertThat(doc(ids.get(0)).getString(TaskFields.STATUS)).isEqualTo("aborted");
    }

    // ---- GPU fit (issue 5): a task goes only to an agent with that many GPUs free -----------

    /** A created task asking for {@code gpus} GPUs, enqueued at the bottom of {@code q}. */
    protected String enqueuedNeeding(String q, int gpus) {
        return enqueuedNeeding(tasks, queue, q, gpus);
    }

    /** Same, on any tasks collection and queue (for tests outside this contract). */
    public static String enqueuedNeeding(MongoCollection<Document> tasks, TaskQueue queue, String q, int gpus) {
        String id = Ids.newId();
        tasks.insertOne(new Document(TaskFields.ID, id).append("name", "t").append(TaskFields.STATUS, "created")
                .append(TaskFields.EPOCH, 0L).append(TaskFields.EXECUTION, new Document("attempt", 0))
                .append(TaskFields.RESOURCES, new Document("gpus", gpus)).append(TaskFields.UPDATED_AT, new Date()));
        queue.enqueue(id, q, 0, Position.BOTTOM);
        return id;
    }

    @Test
    void entriesKnowHowManyGpusTheirTaskNeeds() {
        String two = enqueuedNeeding("q", 2);
        String none = enqueued("q", 0, Position.BOTTOM);
        assertThat(queue.entries("q")).extracting(QueueEntry::taskId, QueueEntry::gpus)
                .containsExactly(org.assertj.core.groups.Tuple.tuple(two, 2), org.assertj.core.groups.Tuple.tuple(none, 0));
        // a restarted controller reads the same from the store
        assertThat(newQueue().entries("q")).extracting(QueueEntry::gpus).containsExactly(2, 0);
    }

    @Test
    void aClaimSkipsTasksNeedingMoreGpusThanFreeAndKeepsTheirPlace() {
        String big = enqueuedNeeding("q", 2);
        String small = enqueuedNeeding("q", 1);
        String cpu = enqueued("q", 0, Position.BOTTOM);

        Claim c = queue.claim("w1", List.of("q"), false, TaskQueue.Fit.upTo(1)).orElseThrow();
        assertThat(c.taskId()).isEqualTo(small);
        assertThat(doc(small).getString(TaskFields.STATUS)).isEqualTo("running");
        // the 2-GPU task is still first in line; the CPU task behind it still second
        assertThat(ids(queue.entries("q"))).containsExactly(big, cpu);
        assertThat(doc(big).getString(TaskFields.STATUS)).isEqualTo("queued");

        assertThat(queue.claim("w1", List.of("q"), false, TaskQueue.Fit.upTo(0)).orElseThrow().taskId()).isEqualTo(cpu);
        assertThat(queue.claim("w1", List.of("q"), false, TaskQueue.Fit.upTo(1))).isEmpty();
        assertThat(ids(queue.entries("q"))).containsExactly(big);
        assertThat(queue.claim("w2", List.of("q"), false, TaskQueue.Fit.upTo(2)).orElseThrow().taskId()).isEqualTo(big);
    }

    @Test
    void aMinimumGpuFitTakesOnlyGpuTasks() {
        String cpu = enqueued("q", 0, Position.BOTTOM);
        String gpu = enqueuedNeeding("q", 1);
        assertThat(queue.claim("w", List.of("q"), false, new TaskQueue.Fit(1, 4)).orElseThrow().taskId()).isEqualTo(gpu);
        assertThat(queue.claim("w", List.of("q"), false, new TaskQueue.Fit(1, 4))).isEmpty();
        assertThat(ids(queue.entries("q"))).containsExactly(cpu);
        // the plain claim takes anything
        assertThat(claimOne("w", "q").taskId()).isEqualTo(cpu);
    }

    @Test
    void gpuFitWorksAcrossQueuesInOrderAndAfterReload() {
        String a = enqueuedNeeding("first", 4);
        String b = enqueuedNeeding("second", 1);
        MongoTaskQueue restarted = newQueue();
        assertThat(restarted.claim("w", List.of("first", "second"), false, TaskQueue.Fit.upTo(2)).orElseThrow().taskId())
                .isEqualTo(b);
        assertThat(ids(restarted.entries("first"))).containsExactly(a);
    }

    @Test
    void aClaimAfterARequeueStillFiltersAndClearsTheOldGpuList() {
        String id = enqueuedNeeding("q", 2);
        Claim c = queue.claim("w", List.of("q"), false, TaskQueue.Fit.upTo(2)).orElseThrow();
        tasks.updateOne(TaskFields.byId(id), new Document("$set", new Document(TaskFields.EXECUTION_GPUS, List.of(0, 1))));
        assertThat(queue.release(id, c.epoch(), "agent shut down")).isTrue();
        assertThat(queue.entries("q")).extracting(QueueEntry::gpus).containsExactly(2);
        assertThat(queue.claim("w", List.of("q"), false, TaskQueue.Fit.upTo(1))).isEmpty();
        queue.claim("w", List.of("q"), false, TaskQueue.Fit.upTo(3)).orElseThrow();
        Document exec = doc(id).get(TaskFields.EXECUTION, Document.class);
        assertThat(exec.containsKey("gpus")).as("execution.gpus of the previous attempt is cleared").isFalse();
    }

    @Test
    void awaitWorkIgnoresTasksThatDoNotFit() throws Exception {
        enqueuedNeeding("q", 2);
        CompletableFuture<Void> small = queue.awaitWork(List.of("q"), TaskQueue.Fit.upTo(1), Duration.ofSeconds(10));
        assertThat(queue.awaitWork(List.of("q"), TaskQueue.Fit.upTo(2), Duration.ofSeconds(10))).isDone();
        Thread.sleep(100);
        assertThat(small).as("an agent with 1 free GPU is not woken for a 2-GPU task").isNotDone();
        enqueuedNeeding("q", 1);
        small.get(2, TimeUnit.SECONDS);
    }

    @Test
    void concurrentFittedClaimsNeverTakeTheSameTask() throws Exception {
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < 40; i++) ids.add(i % 2 == 0 ? enqueuedNeeding("q", 1) : enqueuedNeeding("q", 3));
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            Set<String> taken = ConcurrentHashMap.newKeySet();
            AtomicInteger dup = new AtomicInteger();
            List<Future<?>> fs = new ArrayList<>();
            for (int w = 0; w < 4; w++) {
                String worker = "w" + w;
                fs.add(pool.submit(() -> {
                    for (Optional<Claim> c; (c = queue.claim(worker, List.of("q"), false, TaskQueue.Fit.upTo(1))).isPresent(); ) {
                        if (!taken.add(c.get().taskId())) dup.incrementAndGet();
                    }
                }));
            }
            for (Future<?> f : fs) f.get(30, TimeUnit.SECONDS);
            assertThat(dup).hasValue(0);
            assertThat(taken).hasSize(20);
            assertThat(queue.entries("q")).hasSize(20).allMatch(e -> e.gpus() == 3);
        } finally {
            pool.shutdownNow();
        }
    }
}

package io.drover.controller.singleton;

import static org.assertj.core.api.Assertions.assertThat;

import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoClients;
import com.mongodb.client.MongoCollection;
import de.bwaldvogel.mongo.MongoServer;
import io.drover.controller.store.CopyOnWriteH2Backend;
import io.drover.shared.domain.Ids;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.bson.Document;
import org.h2.mvstore.MVStore;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Singleton election with a lease document: on mongo-java-server here, and on a real MongoDB when
 * {@code DROVER_TEST_MONGO_URI} is set (a fresh database each time).
 */
class SingletonElectorTest {
    private static final Duration LEASE = Duration.ofMillis(1500);

    private MongoServer server;
    private MongoClient client;
    private MongoCollection<Document> coll;

    @BeforeEach
    void store() {
        String uri = System.getenv("DROVER_TEST_MONGO_URI");
        if (uri == null || uri.isBlank()) {
            server = new MongoServer(new CopyOnWriteH2Backend(new MVStore.Builder().open()));
            server.bind("127.0.0.1", 0);
            uri = "mongodb://127.0.0.1:" + server.getLocalAddress().getPort();
        }
        client = MongoClients.create(uri);
        coll = client.getDatabase("drover_test_" + Ids.newId()).getCollection(SingletonLeases.COLLECTION);
        // connect first: a lease counts from when its request was sent, and a cold first call on a
        // busy machine can take longer than these short test leases
        coll.countDocuments();
    }

    @AfterEach
    void close() {
        client.close();
        if (server != null) server.shutdownNow();
    }

    private SingletonElector elector() {
        return SingletonElector.start(new SingletonLeases(coll), "job", LEASE, false, Clock.systemUTC());
    }

    @Test
    void leaseDocumentIsACompareAndSet() {
        SingletonLeases l = new SingletonLeases(coll);
        Instant t = Instant.parse("2030-01-01T00:00:00Z");
        Duration lease = Duration.ofSeconds(10);
        SingletonLeases.Attempt a = l.acquire("j", "a", t, lease, false);
        assertThat(a.acquired()).isTrue();
        assertThat(a.epoch()).isEqualTo(1);
        // held: b is refused and told until when
        SingletonLeases.Attempt b = l.acquire("j", "b", t.plusSeconds(5), lease, false);
        assertThat(b.acquired()).isFalse();
        assertThat(b.holder()).isEqualTo("a");
        assertThat(b.holderExpiresAt()).isEqualTo(t.plus(lease));
        assertThat(l.renew("j", "a", 1, t.plusSeconds(5), lease)).isTrue();
        assertThat(l.acquire("j", "b", t.plusSeconds(12), lease, false).acquired()).as("renewed until 15 s").isFalse();
        // expired: b takes it with a new epoch, and a's renewals are refused from then on
        SingletonLeases.Attempt b2 = l.acquire("j", "b", t.plusSeconds(15), lease, false);
        assertThat(b2.acquired()).isTrue();
        assertThat(b2.epoch()).isEqualTo(2);
        assertThat(l.renew("j", "a", 1, t.plusSeconds(16), lease)).isFalse();
        assertThat(l.release("j", "a", 1)).isFalse();
        // a release frees it at once
        assertThat(l.release("j", "b", 2)).isTrue();
        assertThat(l.acquire("j", "a", t.plusSeconds(16), lease, false).epoch()).isEqualTo(3);
        // force: the store is private to the caller
        assertThat(l.acquire("j", "c", t.plusSeconds(16), lease, true).epoch()).isEqualTo(4);
        assertThat(coll.countDocuments()).isEqualTo(1);
    }

    @Test
    void exactlyOneLeadsAndACleanStopHandsOverAtOnce() throws Exception {
        SingletonElector a = elector();
        SingletonElector b = elector();
        try {
            assertThat(a.isLeader()).as("the first node elects itself at once").isTrue();
            assertThat(b.isLeader()).isFalse();
            // several lease periods: renewals keep a in, b never leads alongside it
            long end = System.nanoTime() + 3 * LEASE.toNanos();
            while (System.nanoTime() < end) {
                assertThat(a.isLeader()).as("holder keeps its lease by renewing").isTrue();
                assertThat(b.isLeader()).isFalse();
                Thread.sleep(10);
            }
            long stop = System.nanoTime();
            a.close();
            assertThat(a.isLeader()).isFalse();
            awaitTrue(b::isLeader, LEASE.multipliedBy(2));
            long ms = (System.nanoTime() - stop) / 1_000_000;
            System.out.println("take-over after a clean stop: " + ms + " ms (lease " + LEASE.toMillis() + " ms)");
            assertThat(ms).as("the standby retries at least every lease/3").isLessThan(LEASE.toMillis());
            assertThat(b.epoch()).isEqualTo(2);
        } finally {
            a.close();
            b.close();
        }
    }

    @Test
    void aDeadHolderIsReplacedWithinOneLease() throws Exception {
        SingletonElector a = elector();
        SingletonElector b = elector();
        try {
            assertThat(a.isLeader()).isTrue();
            Thread.sleep(LEASE.toMillis() / 2); // somewhere between two renewals
            long death = System.nanoTime();
            a.haltForTest(); // kill -9: no release
            awaitTrue(b::isLeader, LEASE.multipliedBy(3));
            long ms = (System.nanoTime() - death) / 1_000_000;
            System.out.println("take-over after the holder died: " + ms + " ms (lease " + LEASE.toMillis() + " ms)");
            // the lease was last renewed before the death, so it runs out within one lease of it; b tries right then
            assertThat(ms).isLessThanOrEqualTo(LEASE.toMillis() + 250);
        } finally {
            a.close();
            b.close();
        }
    }

    @Test
    void aPausedHolderStopsActingBeforeAnotherCanTakeOver() throws Exception {
        SingletonElector a = elector();
        SingletonElector b = elector();
        try {
            assertThat(a.isLeader()).isTrue();
            a.pauseForTest(true); // a long GC pause: no renewals
            long aStopped = 0;
            long bStarted = 0;
            long end = System.nanoTime() + 3 * LEASE.toNanos();
            while (System.nanoTime() < end && bStarted == 0) {
                boolean al = a.isLeader();
                boolean bl = b.isLeader();
                long now = System.nanoTime();
                assertThat(al && bl).as("two leaders at once").isFalse();
                if (!al && aStopped == 0) aStopped = now;
                if (bl) bStarted = now;
                Thread.sleep(2);
            }
            assertThat(bStarted).as("b took over").isPositive();
            assertThat(aStopped).as("a stopped first").isPositive().isLessThan(bStarted);
            System.out.println("paused holder stopped " + (bStarted - aStopped) / 1_000_000 + " ms before the take-over");
            // a wakes up: its renewal is refused (b holds a newer epoch), it does not lead again
            a.pauseForTest(false);
            long until = System.nanoTime() + LEASE.toNanos();
            while (System.nanoTime() < until) {
                assertThat(a.isLeader()).isFalse();
                assertThat(b.isLeader()).as("b leads on: %s a=%s b=%s", coll.find().first(), a.owner(), b.owner()).isTrue();
                Thread.sleep(10);
            }
        } finally {
            a.close();
            b.close();
        }
    }

    static void awaitTrue(BooleanSupplier c, Duration max) throws InterruptedException {
        long end = System.nanoTime() + max.toNanos();
        while (!c.getAsBoolean()) {
            if (System.nanoTime() > end) throw new AssertionError("not within " + max);
            TimeUnit.MILLISECONDS.sleep(2);
        }
    }
}

package io.drover.controller.audit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;

import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoClients;
import io.vertx.core.Vertx;
import io.vertx.core.WorkerExecutor;
import java.time.Clock;
import org.junit.jupiter.api.Test;

class AuditLogTest {
    @Test
    void idsStrictlyIncreaseWithinOneMillisecond() {
        AuditIds ids = new AuditIds();
        String prev = ids.next(1_700_000_000_000L);
        for (int i = 0; i < 10_000; i++) {
            String next = ids.next(1_700_000_000_000L);
            assertThat(next).hasSize(24).isGreaterThan(prev);
            prev = next;
        }
        assertThat(prev).startsWith(Long.toHexString(1_700_000_000L)); // seconds first, like Ids.newId()
    }

    @Test
    void aBrokenStoreNeverFailsTheCaller() throws Exception {
        Vertx vertx = Vertx.vertx();
        try {
            WorkerExecutor pool = vertx.createSharedWorkerExecutor("audit-test", 1);
            // nothing listens on port 1: inserts fail (after the server selection timeout), on the pool
            MongoClient client = MongoClients.create("mongodb://127.0.0.1:1/?serverSelectionTimeoutMS=200");
            AuditLog audit = new AuditLog(client.getDatabase("x").getCollection(AuditLog.COLLECTION), pool, Clock.systemUTC(), null);
            long t0 = System.nanoTime();
            assertThatCode(() -> audit.record(new AuditLog.Who("alice", "10.0.0.1"), "login", "alice", AuditLog.OK))
                    .doesNotThrowAnyException();
            assertThat(System.nanoTime() - t0).as("record does not wait for the store").isLessThan(150_000_000L);
            pool.close().toCompletionStage().toCompletableFuture().get();
            client.close();
            // a closed pool (shutdown) is not the caller's problem either
            assertThatCode(() -> audit.record(AuditLog.Who.SYSTEM, "login", "bob", AuditLog.FAILED, "x".repeat(5000)))
                    .doesNotThrowAnyException();
        } finally {
            vertx.close().toCompletionStage().toCompletableFuture().get();
        }
    }
}

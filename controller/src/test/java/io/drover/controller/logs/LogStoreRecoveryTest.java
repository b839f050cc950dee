package io.drover.controller.logs;

import static org.assertj.core.api.Assertions.assertThat;

import io.drover.queue.TaskFields;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import org.bson.Document;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The store below the HTTP layer: a batch whose range was reserved but whose lines were never
 * written (the controller died in between) is healed by the agent's retry, and readers neither
 * skip nor duplicate lines meanwhile.
 */
class LogStoreRecoveryTest {
    @TempDir
    static Path dir;
    static ExtrasFixture f;
    static LogStore store;

    @BeforeAll
    static void start() throws Exception {
        f = new ExtrasFixture(dir);
        store = new LogStore(f.controller.services().store().db(), new LogWaiters());
    }

    @AfterAll
    static void stop() {
        f.close();
    }

    static LogBatch batch(long epoch, long n, String... texts) {
        return new LogBatch(epoch, n, java.util.Arrays.stream(texts).map(t -> new LogBatch.Line(Instant.EPOCH.toString(), "stdout", t)).toList());
    }

    static List<String> texts(LogPage p) {
        return p.lines().stream().map(LogLine::text).toList();
    }

    /** What a crash between the reservation and the chunk writes leaves behind. */
    static void reserveWithoutWriting(String id, String key, long first, int n) {
        f.controller.services().store().tasks().updateOne(TaskFields.byId(id), new Document("$set",
                new Document(LogStore.LOG_LINES, first + n - 1)
                        .append(LogStore.LOG_BATCHES, List.of(new Document("k", key).append("first", first).append("n", n)))));
    }

    @Test
    void aRetryFillsARangeThatWasReservedButNeverWritten() {
        String id = f.runningTask("crash", 3);
        reserveWithoutWriting(id, "3:0", 1, 2);
        // lines 1-2 are promised but missing: a reader waits for them instead of skipping them
        assertThat(store.read(id, 0, 100).lines()).isEmpty();
        assertThat(store.read(id, 0, 100).next()).isZero();

        assertThat(store.append(id, batch(3, 0, "a", "b"))).isEqualTo(2); // the agent's retry
        assertThat(store.append(id, batch(3, 1, "c"))).isEqualTo(3);
        LogPage p = store.read(id, 0, 100);
        assertThat(texts(p)).containsExactly("a", "b", "c");
        assertThat(p.next()).isEqualTo(3);
    }

    @Test
    void aFinalTaskSkipsLinesThatWillNeverCome() {
        String id = f.runningTask("lost", 1);
        store.append(id, batch(1, 0, "x"));
        f.controller.services().store().tasks().updateOne(TaskFields.byId(id), new Document("$set",
                new Document(LogStore.LOG_LINES, 3L)));      // lines 2-3 reserved, the agent died too
        store.append(id, batch(1, 1, "y"));                  // seq 4
        assertThat(texts(store.read(id, 0, 100))).containsExactly("x");
        f.setStatus(id, "failed");
        LogPage p = store.read(id, 0, 100);
        assertThat(texts(p)).containsExactly("x", "y");
        assertThat(p.lines().get(1).seq()).isEqualTo(4);
        assertThat(p.next()).isEqualTo(4);
    }

    @Test
    void concurrentBatchesOfOneTaskGetDistinctRanges() throws Exception {
        String id = f.runningTask("parallel", 1);
        List<Thread> threads = new java.util.ArrayList<>();
        for (int t = 0; t < 4; t++) {
            int tt = t;
            Thread th = new Thread(() -> {
                for (int b = 0; b < 10; b++) store.append(id, batch(1, tt * 100 + b, "t" + tt + "b" + b + "-0", "t" + tt + "b" + b + "-1"));
            });
            th.start();
            threads.add(th);
        }
        for (Thread t : threads) t.join();
        LogPage p = store.read(id, 0, 1000);
        assertThat(p.lines()).hasSize(80);
        assertThat(texts(p)).doesNotHaveDuplicates();
        for (int i = 0; i < 80; i++) assertThat(p.lines().get(i).seq()).isEqualTo(i + 1);
        // a batch's lines stay together and in order
        for (int i = 0; i < 80; i += 2) {
            assertThat(p.lines().get(i).text()).endsWith("-0");
            assertThat(p.lines().get(i + 1).text()).isEqualTo(p.lines().get(i).text().replace("-0", "-1"));
        }
    }
}

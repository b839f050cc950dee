package io.drover.controller.logs;

import com.mongodb.client.MongoCollection;
import com.mongodb.client.MongoDatabase;
import com.mongodb.client.model.Filters;
import com.mongodb.client.model.Projections;
import com.mongodb.client.model.UpdateOptions;
import com.mongodb.client.model.Updates;
import com.mongodb.client.result.UpdateResult;
import io.drover.queue.TaskFields;
import io.drover.shared.domain.DroverException;
import io.drover.shared.domain.TaskStatus;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.bson.Document;
import org.bson.conversions.Bson;

/**
 * Console lines of tasks, stored in chunk documents of {@link #CHUNK_LINES} lines in the
 * {@code logs} collection, {@code _id = taskId + ":" + zero-padded chunk number}, so every read
 * and write is an exact {@code _id} lookup (fast on the embedded store, which ignores secondary
 * indexes). Inside a chunk, lines sit under {@code l.<offset>}, so writing a line twice is a
 * harmless overwrite.
 *
 * <p>The task document keeps {@code logLines} (sequence numbers handed out so far) and
 * {@code logBatches}, the last {@link #BATCH_WINDOW} batches as {@code {k:"epoch:batch", first, n}}.
 * A batch reserves its range with one compare-and-set on the task (fenced by the lease epoch)
 * that also records the batch key: reservation and idempotency marker are a single atomic write,
 * so a retried batch (even after a controller crash between the reservation and the chunk
 * writes) finds its range and rewrites the same lines instead of storing them twice.
 *
 * <p>Readers return the contiguous lines present after {@code after}: a range reserved but not
 * yet written (a concurrent append) is not skipped but waited for; once the task is final,
 * missing lines (a batch that was reserved and never written) are skipped.
 *
 * <p>Every method blocks on the store: call it off the event loop.
 */
public final class LogStore {
    public static final String COLLECTION = "logs";
    /** Field on the task document: how many sequence numbers were handed out. */
    public static final String LOG_LINES = "logLines";
    /** Field on the task document: the recent batches, for idempotency. */
    public static final String LOG_BATCHES = "logBatches";
    static final int CHUNK_LINES = 256;
    static final int BATCH_WINDOW = 128;
    private static final int CAS_ATTEMPTS = 50;

    private final MongoCollection<Document> tasks;
    private final MongoCollection<Document> chunks;
    private final LogWaiters waiters;

    public LogStore(MongoDatabase db, LogWaiters waiters) {
        this.tasks = db.getCollection(TaskFields.COLLECTION);
        this.chunks = db.getCollection(COLLECTION);
        this.waiters = waiters;
    }

    public LogWaiters waiters() {
        return waiters;
    }

    /**
     * Appends a batch under the lease epoch.
     *
     * @return the highest sequence number handed out for the task so far (the {@code next} of the reply)
     * @throws DroverException not_found for an unknown task, stale_lease when the epoch is not current
     */
    public long append(String taskId, LogBatch batch) {
        String key = batch.epoch() + ":" + batch.batch();
        for (int attempt = 0; attempt < CAS_ATTEMPTS; attempt++) {
            Document task = tasks.find(TaskFields.byId(taskId))
                    .projection(Projections.include(TaskFields.STATUS, TaskFields.EPOCH, LOG_LINES, LOG_BATCHES))
                    .first();
            if (task == null) throw DroverException.notFound("task", taskId);
            if (!"running".equals(task.getString(TaskFields.STATUS)) || longOf(task.get(TaskFields.EPOCH)) != batch.epoch()) {
                throw DroverException.staleLease(taskId, batch.epoch());
            }
            Object have = task.get(LOG_LINES);
            long reserved = longOf(have);
            Document prior = findBatch(task, key);
            if (prior != null) {
                // a retry: rewrite the same range in case the first attempt died before writing it
                long first = longOf(prior.get("first"));
                int n = (int) Math.min(longOf(prior.get("n")), batch.lines().size());
                writeLines(taskId, first, batch.lines().subList(0, n));
                return reserved;
            }
            if (batch.lines().isEmpty()) return reserved;
            int n = batch.lines().size();
            long first = reserved + 1;
            // null matches a missing field: the first batch of a task that never logged
            Bson filter = new Document((Document) TaskFields.fence(taskId, batch.epoch())).append(LOG_LINES, have);
            Bson update = Updates.combine(
                    Updates.set(LOG_LINES, reserved + n),
                    Updates.pushEach(LOG_BATCHES, List.of(new Document("k", key).append("first", first).append("n", n)),
                            new com.mongodb.client.model.PushOptions().slice(-BATCH_WINDOW)));
            UpdateResult r = tasks.updateOne(filter, update);
            if (r.getMatchedCount() == 1) {
                writeLines(taskId, first, batch.lines());
                waiters.wake(taskId);
                return reserved + n;
            }
            // lost a race with another batch of the same task (or the epoch moved on): look again
        }
        throw new IllegalStateException("could not append logs to task " + taskId + " after " + CAS_ATTEMPTS
                + " attempts: too many concurrent batches for one task");
    }

    private static Document findBatch(Document task, String key) {
        List<?> recent = task.getList(LOG_BATCHES, Object.class, List.of());
        for (Object o : recent) {
            if (o instanceof Document d && key.equals(d.getString("k"))) return d;
        }
        return null;
    }

    private void writeLines(String taskId, long first, List<LogBatch.Line> lines) {
        Map<Long, List<Bson>> byChunk = new LinkedHashMap<>();
        for (int i = 0; i < lines.size(); i++) {
            long seq = first + i;
            LogBatch.Line l = lines.get(i);
            byChunk.computeIfAbsent(chunkOf(seq), c -> new ArrayList<>()).add(Updates.set("l." + offsetKey(seq),
                    new Document("s", seq).append("ts", l.ts()).append("st", l.stream()).append("t", l.text())));
        }
        for (Map.Entry<Long, List<Bson>> e : byChunk.entrySet()) {
            List<Bson> sets = new ArrayList<>(e.getValue());
            sets.add(Updates.set("task", taskId));
            chunks.updateOne(Filters.eq("_id", chunkId(taskId, e.getKey())), Updates.combine(sets),
                    new UpdateOptions().upsert(true));
        }
    }

    /**
     * Lines with {@code seq > after}, at most {@code limit}.
     *
     * @throws DroverException not_found for an unknown task
     */
    public LogPage read(String taskId, long after, int limit) {
        Document task = tasks.find(TaskFields.byId(taskId))
                .projection(Projections.include(TaskFields.STATUS, LOG_LINES)).first();
        if (task == null) throw DroverException.notFound("task", taskId);
        String status = task.getString(TaskFields.STATUS);
        boolean fin = isFinal(status);
        long reserved = longOf(task.get(LOG_LINES));
        long to = Math.min(reserved, after + limit);
        List<LogLine> out = new ArrayList<>();
        long next = after;
        long seq = after + 1;
        scan:
        while (seq <= to) {
            long chunk = chunkOf(seq);
            Document doc = chunks.find(Filters.eq("_id", chunkId(taskId, chunk))).first();
            Document lines = doc == null ? null : doc.get("l", Document.class);
            long chunkEnd = Math.min(to, (chunk + 1) * CHUNK_LINES);
            for (; seq <= chunkEnd; seq++) {
                Document l = lines == null ? null : lines.get(offsetKey(seq), Document.class);
                if (l == null) {
                    if (!fin) break scan; // reserved, not yet written: wait for it rather than skip it
                    next = seq;           // final: this line was lost, never coming
                    continue;
                }
                out.add(new LogLine(seq, l.getString("ts"), l.getString("st"), l.getString("t")));
                next = seq;
            }
        }
        return new LogPage(out, next, status);
    }

    /** Streams every line of a task, in order, to {@code sink}, one chunk read at a time. */
    public void forEach(String taskId, Consumer<List<LogLine>> sink) {
        long after = 0;
        while (true) {
            LogPage p = read(taskId, after, CHUNK_LINES);
            if (p.lines().isEmpty()) return;
            sink.accept(p.lines());
            after = p.next();
        }
    }

    /** The status of a task, or null when there is none. */
    public String status(String taskId) {
        Document task = tasks.find(TaskFields.byId(taskId)).projection(Projections.include(TaskFields.STATUS)).first();
        return task == null ? null : task.getString(TaskFields.STATUS);
    }

    static boolean isFinal(String status) {
        try {
            return status != null && TaskStatus.parse(status).isFinal();
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    static long chunkOf(long seq) {
        return (seq - 1) / CHUNK_LINES;
    }

    static String chunkId(String taskId, long chunk) {
        return taskId + ":" + String.format("%08d", chunk);
    }

    /** Zero-padded and non-numeric-looking ("o" prefix) so no store treats it as an array index. */
    private static String offsetKey(long seq) {
        return String.format("o%03d", (seq - 1) % CHUNK_LINES);
    }

    private static long longOf(Object o) {
        return o instanceof Number n ? n.longValue() : 0L;
    }
}

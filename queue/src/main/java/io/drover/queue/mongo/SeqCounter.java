package io.drover.queue.mongo;

import com.mongodb.ErrorCategory;
import com.mongodb.MongoCommandException;
import com.mongodb.MongoWriteException;
import com.mongodb.client.MongoCollection;
import com.mongodb.client.model.FindOneAndUpdateOptions;
import com.mongodb.client.model.ReturnDocument;
import com.mongodb.client.model.UpdateOptions;
import io.drover.queue.TaskQueue.Position;
import org.bson.Document;

/**
 * Hands out {@code queuedSeq} values from one counter document in the store, so the order stays
 * monotonic across restarts and across several controllers sharing the store: BOTTOM takes
 * 1, 2, 3, … and TOP takes -1, -2, -3, …, so that within a priority the latest TOP comes first
 * and the latest BOTTOM last.
 */
final class SeqCounter {
    static final String ID = "tasks.queuedSeq";
    static final String BOTTOM = "bottom";
    static final String TOP = "top";

    private static final FindOneAndUpdateOptions UPSERT_AFTER =
            new FindOneAndUpdateOptions().upsert(true).returnDocument(ReturnDocument.AFTER);

    private final MongoCollection<Document> counters;

    SeqCounter(MongoCollection<Document> counters) {
        this.counters = counters;
    }

    long next(Position position) {
        boolean top = position == Position.TOP;
        String field = top ? TOP : BOTTOM;
        Document inc = new Document("$inc", new Document(field, top ? -1L : 1L));
        for (int attempt = 0; ; attempt++) {
            try {
                Document after = counters.findOneAndUpdate(new Document("_id", ID), inc, UPSERT_AFTER);
                return ((Number) after.get(field)).longValue();
            } catch (MongoCommandException | MongoWriteException e) {
                // Two first-ever upserts can race on a real MongoDB: the loser retries and increments.
                if (attempt > 2 || !isDuplicateKey(e)) throw e;
            }
        }
    }

    /** Makes sure the counter is beyond every seq already in the store (data written before the counter existed). */
    void atLeast(long maxBottom, long minTop) {
        Document update = new Document("$max", new Document(BOTTOM, Math.max(0L, maxBottom)))
                .append("$min", new Document(TOP, Math.min(0L, minTop)));
        for (int attempt = 0; ; attempt++) {
            try {
                counters.updateOne(new Document("_id", ID), update, new UpdateOptions().upsert(true));
                return;
            } catch (MongoCommandException | MongoWriteException e) {
                if (attempt > 2 || !isDuplicateKey(e)) throw e;
            }
        }
    }

    private static boolean isDuplicateKey(RuntimeException e) {
        if (e instanceof MongoWriteException w) return w.getError().getCategory() == ErrorCategory.DUPLICATE_KEY;
        return ((MongoCommandException) e).getErrorCode() == 11000;
    }
}

package io.drover.controller.singleton;

import com.mongodb.ErrorCategory;
import com.mongodb.MongoCommandException;
import com.mongodb.MongoWriteException;
import com.mongodb.client.MongoCollection;
import com.mongodb.client.model.FindOneAndUpdateOptions;
import com.mongodb.client.model.ReturnDocument;
import com.mongodb.client.model.Updates;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import org.bson.Document;

/**
 * The lease documents of singleton jobs: one per job in {@value #COLLECTION},
 * {@code {_id: job, owner, expiresAt, epoch}}. Every change is a compare-and-set on that one
 * document (no transactions, no TTL, no server-side clock), so it works the same on MongoDB and on
 * mongo-java-server. {@code epoch} grows by one whenever a holder takes the lease: a fencing
 * token for the job's own writes.
 *
 * <p>Every method blocks on the store and throws the driver's exception when it is unreachable.
 */
public final class SingletonLeases {
    public static final String COLLECTION = "singletons";
    static final String OWNER = "owner";
    static final String EXPIRES_AT = "expiresAt";
    static final String EPOCH = "epoch";
    private static final int DUPLICATE_KEY = 11000;

    private final MongoCollection<Document> coll;

    public SingletonLeases(MongoCollection<Document> coll) {
        this.coll = coll;
    }

    /** The outcome of {@link #acquire}: our new epoch, or who holds the lease until when. */
    public record Attempt(boolean acquired, long epoch, String holder, Instant holderExpiresAt) {}

    /**
     * Takes the lease of {@code job} for {@code lease} from {@code now} when nobody holds it, it has
     * expired, or {@code owner} holds it already; each take bumps the epoch.
     *
     * @param force take it whoever holds it: only when the store is private to this process
     *              (the embedded store's file lock guarantees that), e.g. after a restart
     */
    public Attempt acquire(String job, String owner, Instant now, Duration lease, boolean force) {
        Document filter = new Document("_id", job);
        if (!force) {
            filter.append("$or", List.of(new Document(EXPIRES_AT, new Document("$lte", Date.from(now))),
                    new Document(OWNER, owner)));
        }
        Document after = coll.findOneAndUpdate(filter,
                Updates.combine(Updates.set(OWNER, owner), Updates.set(EXPIRES_AT, Date.from(now.plus(lease))),
                        Updates.inc(EPOCH, 1L)),
                new FindOneAndUpdateOptions().returnDocument(ReturnDocument.AFTER));
        if (after != null) return new Attempt(true, after.get(EPOCH, Number.class).longValue(), owner, now.plus(lease));
        try {
            // no document yet (first start), or held by another: the unique _id decides
            coll.insertOne(new Document("_id", job).append(OWNER, owner).append(EXPIRES_AT, Date.from(now.plus(lease)))
                    .append(EPOCH, 1L));
            return new Attempt(true, 1L, owner, now.plus(lease));
        } catch (MongoWriteException e) {
            if (e.getError().getCategory() != ErrorCategory.DUPLICATE_KEY) throw e;
        } catch (MongoCommandException e) {
            if (e.getErrorCode() != DUPLICATE_KEY) throw e;
        }
        Document held = current(job);
        if (held == null) return new Attempt(false, 0, null, now); // released and deleted meanwhile: try again soon
        return new Attempt(false, held.get(EPOCH, Number.class).longValue(), held.getString(OWNER),
                held.getDate(EXPIRES_AT).toInstant());
    }

    /** Extends the lease to {@code now + lease} if {@code (owner, epoch)} still holds it; false when lost. */
    public boolean renew(String job, String owner, long epoch, Instant now, Duration lease) {
        return coll.updateOne(held(job, owner, epoch), Updates.set(EXPIRES_AT, Date.from(now.plus(lease))))
                .getMatchedCount() == 1;
    }

    /** Ends our lease at once (expired since 1970), so another node need not wait for it to run out. */
    public boolean release(String job, String owner, long epoch) {
        return coll.updateOne(held(job, owner, epoch), Updates.set(EXPIRES_AT, new Date(0))).getMatchedCount() == 1;
    }

    /** The lease document of {@code job}, or null. */
    public Document current(String job) {
        return coll.find(new Document("_id", job)).first();
    }

    private static Document held(String job, String owner, long epoch) {
        return new Document("_id", job).append(OWNER, owner).append(EPOCH, epoch);
    }
}

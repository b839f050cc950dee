package io.drover.controller.auth;

import com.mongodb.client.MongoCollection;
import com.mongodb.client.model.Filters;
import com.mongodb.client.model.Updates;
import io.drover.shared.domain.Ids;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.Optional;
import org.bson.Document;

/**
 * Browser sessions, collection {@code sessions}: {@code _id} = SHA-256 of the session id (the id
 * itself lives only in the HttpOnly cookie), user, csrf, createdAt, lastSeenAt. A session idle
 * for longer than the TTL is deleted when next presented. Blocking: call on the store pool.
 */
public final class Sessions {
    public static final String COLLECTION = "sessions";
    public static final String COOKIE = "drover_session";

    /** A live session; {@code cookieValue} is only known right after login. */
    public record Session(String hash, String user, String csrf, String cookieValue) {}

    private final MongoCollection<Document> sessions;
    private final Clock clock;
    private final Duration ttl;
    /** lastSeenAt is refreshed at most this often, so each click does not write. */
    private final Duration touchEvery;

    public Sessions(MongoCollection<Document> sessions, Clock clock, Duration ttl) {
        this.sessions = sessions;
        this.clock = clock;
        this.ttl = ttl;
        this.touchEvery = ttl.dividedBy(4).compareTo(Duration.ofMinutes(1)) < 0 ? ttl.dividedBy(4) : Duration.ofMinutes(1);
    }

    public Session create(String user) {
        String id = Ids.secret(32);
        String csrf = Ids.secret(24);
        Date now = Date.from(clock.instant());
        String hash = Secrets.sha256(id);
        sessions.insertOne(new Document("_id", hash).append("user", user).append("csrf", csrf)
                .append("createdAt", now).append("lastSeenAt", now));
        return new Session(hash, user, csrf, id);
    }

    /** The live session of a cookie value; an expired one is deleted. */
    public Optional<Session> find(String cookieValue) {
        if (cookieValue == null || cookieValue.isBlank() || cookieValue.length() > 256) return Optional.empty();
        String hash = Secrets.sha256(cookieValue);
        Document d = sessions.find(Filters.eq("_id", hash)).first();
        if (d == null) return Optional.empty();
        Instant now = clock.instant();
        Instant last = d.getDate("lastSeenAt").toInstant();
        if (Duration.between(last, now).compareTo(ttl) > 0) {
            sessions.deleteOne(Filters.eq("_id", hash));
            return Optional.empty();
        }
        if (Duration.between(last, now).compareTo(touchEvery) >= 0) {
            sessions.updateOne(Filters.eq("_id", hash), Updates.set("lastSeenAt", Date.from(now)));
        }
        return Optional.of(new Session(hash, d.getString("user"), d.getString("csrf"), null));
    }

    public void delete(String hash) {
        if (hash != null) sessions.deleteOne(Filters.eq("_id", hash));
    }

    /** Ends every session of a user (password change, user disabled). */
    public void deleteAllOf(String user) {
        sessions.deleteMany(Filters.eq("user", user));
    }

    /** Ends the other sessions of a user (after a password change); {@code keep} may be null. */
    public void deleteAllOfExcept(String user, String keep) {
        sessions.deleteMany(keep == null ? Filters.eq("user", user) : Filters.and(Filters.eq("user", user), Filters.ne("_id", keep)));
    }

    public Duration ttl() {
        return ttl;
    }
}

package io.drover.controller.auth;

import com.mongodb.client.MongoCollection;
import com.mongodb.client.model.Filters;
import com.mongodb.client.model.Sorts;
import com.mongodb.client.model.Updates;
import io.drover.shared.domain.Ids;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.bson.Document;
import org.bson.conversions.Bson;

/**
 * The {@code api_keys} collection: {@code _id} = the key's public id (16 hex), secretHash
 * (SHA-256 of the 40-hex secret; the secret itself is shown once and never stored), user, kind
 * ({@code user|worker}), name, createdAt, lastUsedAt, revoked. A key is looked up by {@code _id}
 * on every request and nothing positive is cached, so a revoke takes effect on the next request.
 * Blocking: call on the store pool.
 */
public final class ApiKeys {
    public static final String COLLECTION = "api_keys";
    public static final String PREFIX = "drk_";
    /** {@code lastUsedAt} is written at most this often per key, so a busy agent does not write per request. */
    static final Duration LAST_USED_EVERY = Duration.ofMinutes(1);
    private static final Pattern FORMAT = Pattern.compile("drk_([0-9a-f]{16})_([0-9a-f]{40})");

    public enum Kind {
        USER, WORKER;

        public String wire() {
            return name().toLowerCase();
        }

        public static Kind parse(String s) {
            if ("user".equals(s)) return USER;
            if ("worker".equals(s)) return WORKER;
            throw io.drover.shared.domain.DroverException.badRequest("key kind '" + s + "' is not valid: use user or worker");
        }
    }

    public record Key(String id, String user, Kind kind, String name, Date createdAt, Date lastUsedAt, boolean revoked,
                      String secretHash) {
        static Key of(Document d) {
            return new Key(d.getString("_id"), d.getString("user"), "worker".equals(d.getString("kind")) ? Kind.WORKER : Kind.USER,
                    d.getString("name"), d.getDate("createdAt"), d.getDate("lastUsedAt"), Boolean.TRUE.equals(d.getBoolean("revoked")),
                    d.getString("secretHash"));
        }
    }

    /** A key just created: {@code token} is the full {@code drk_<id>_<secret>}, shown once. */
    public record Created(Key key, String token) {}

    private final MongoCollection<Document> keys;
    private final Clock clock;
    private final Map<String, Instant> lastWritten = new ConcurrentHashMap<>();

    public ApiKeys(MongoCollection<Document> keys, Clock clock) {
        this.keys = keys;
        this.clock = clock;
    }

    public Created create(String user, Kind kind, String name) {
        String id = Ids.secret(8);
        String secret = Ids.secret(20);
        Document d = new Document("_id", id).append("secretHash", Secrets.sha256(secret)).append("user", user)
                .append("kind", kind.wire()).append("name", name).append("createdAt", Date.from(clock.instant()))
                .append("lastUsedAt", null).append("revoked", false);
        keys.insertOne(d);
        return new Created(Key.of(d), PREFIX + id + "_" + secret);
    }

    /**
     * The key a bearer token names when its secret matches and it is not revoked; empty for a
     * malformed token, an unknown id, a wrong secret or a revoked key (callers answer all of these
     * with the same 401).
     */
    public Optional<Key> verify(String token) {
        if (token == null) return Optional.empty();
        Matcher m = FORMAT.matcher(token.trim());
        if (!m.matches()) return Optional.empty();
        Document d = keys.find(Filters.eq("_id", m.group(1))).first();
        String presented = Secrets.sha256(m.group(2));
        if (d == null) {
            Secrets.equal(presented, presented); // same work as a real comparison
            return Optional.empty();
        }
        Key k = Key.of(d);
        if (!Secrets.equal(presented, k.secretHash()) || k.revoked()) return Optional.empty();
        touch(k.id());
        return Optional.of(k);
    }

    private void touch(String id) {
        Instant now = clock.instant();
        Instant last = lastWritten.get(id);
        if (last != null && Duration.between(last, now).compareTo(LAST_USED_EVERY) < 0) return;
        lastWritten.put(id, now);
        keys.updateOne(Filters.eq("_id", id), Updates.set("lastUsedAt", Date.from(now)));
    }

    public Optional<Key> find(String id) {
        Document d = keys.find(Filters.eq("_id", id)).first();
        return Optional.ofNullable(d).map(Key::of);
    }

    /** Keys of one user, or all when {@code user} is null; newest first. */
    public List<Key> list(String user) {
        Bson f = user == null ? new Document() : Filters.eq("user", user);
        List<Key> out = new ArrayList<>();
        for (Document d : keys.find(f).sort(Sorts.descending("createdAt"))) out.add(Key.of(d));
        return out;
    }

    public void revoke(String id) {
        keys.updateOne(Filters.eq("_id", id), Updates.set("revoked", true));
        lastWritten.remove(id);
    }
}

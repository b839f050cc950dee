package io.drover.controller.auth;

import com.mongodb.ErrorCategory;
import com.mongodb.MongoWriteException;
import com.mongodb.client.MongoCollection;
import com.mongodb.client.model.Filters;
import com.mongodb.client.model.ReplaceOptions;
import com.mongodb.client.model.Sorts;
import com.mongodb.client.model.Updates;
import io.drover.shared.domain.DroverException;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.Optional;
import org.bson.Document;
import org.bson.conversions.Bson;

/**
 * The {@code users} collection: {@code _id} = username, displayName, passwordHash (Argon2id,
 * {@link Passwords}; null for LDAP users), admin, disabled, source ({@code local|ldap}),
 * createdAt. Every lookup is by {@code _id}. Blocking: call on the store pool.
 */
public final class Users {
    public static final String COLLECTION = "users";

    public record User(String username, String displayName, String passwordHash, boolean admin, boolean disabled,
                       String source, Date createdAt) {
        static User of(Document d) {
            return new User(d.getString("_id"), d.getString("displayName"), d.getString("passwordHash"),
                    Boolean.TRUE.equals(d.getBoolean("admin")), Boolean.TRUE.equals(d.getBoolean("disabled")),
                    d.getString("source") == null ? "local" : d.getString("source"), d.getDate("createdAt"));
        }
    }

    private final MongoCollection<Document> users;

    public Users(MongoCollection<Document> users) {
        this.users = users;
    }

    public Optional<User> find(String username) {
        if (username == null) return Optional.empty();
        Document d = users.find(Filters.eq("_id", username)).first();
        return Optional.ofNullable(d).map(User::of);
    }

    public boolean isEmpty() {
        return users.find().limit(1).first() == null;
    }

    public List<User> list() {
        List<User> out = new ArrayList<>();
        for (Document d : users.find().sort(Sorts.ascending("_id"))) out.add(User.of(d));
        return out;
    }

    /** @throws DroverException conflict when the username is taken */
    public User create(String username, String displayName, String passwordHash, boolean admin, String source) {
        Document d = new Document("_id", username).append("displayName", displayName == null ? username : displayName)
                .append("passwordHash", passwordHash).append("admin", admin).append("disabled", false)
                .append("source", source).append("createdAt", new Date());
        try {
            users.insertOne(d);
        } catch (MongoWriteException e) {
            if (e.getError().getCategory() == ErrorCategory.DUPLICATE_KEY) {
                throw DroverException.conflict("user '" + username + "' already exists; change it with PATCH /users/" + username);
            }
            throw e;
        }
        return User.of(d);
    }

    /** Creates or refreshes an LDAP user (no local password; the directory decides). */
    public User upsertLdap(String username, String displayName, boolean admin) {
        Document existing = users.find(Filters.eq("_id", username)).first();
        Document d = new Document("_id", username).append("displayName", displayName == null ? username : displayName)
                .append("passwordHash", null).append("admin", admin)
                .append("disabled", existing != null && Boolean.TRUE.equals(existing.getBoolean("disabled")))
                .append("source", "ldap")
                .append("createdAt", existing != null && existing.getDate("createdAt") != null ? existing.getDate("createdAt") : new Date());
        users.replaceOne(Filters.eq("_id", username), d, new ReplaceOptions().upsert(true));
        return User.of(d);
    }

    public void update(String username, Bson update) {
        if (users.updateOne(Filters.eq("_id", username), update).getMatchedCount() == 0) {
            throw DroverException.notFound("user", username);
        }
    }

    public void setPassword(String username, String passwordHash) {
        update(username, Updates.set("passwordHash", passwordHash));
    }
}

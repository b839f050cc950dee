package io.drover.controller.secrets;

import com.mongodb.client.MongoCollection;
import com.mongodb.client.MongoDatabase;
import com.mongodb.client.model.Filters;
import com.mongodb.client.model.Projections;
import com.mongodb.client.model.ReplaceOptions;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Date;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.bson.Document;
import org.bson.types.Binary;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@code secrets} collection: one document per secret, {@code _id = project:NAME}, holding
 * only ciphertext, IV and the key id (never the value or the key). Exact-key reads and writes;
 * listing a project scans by its {@code project} field, which is fine for a collection this small.
 * Blocking: call on the store pool.
 */
public final class SecretStore {
    private static final Logger log = LoggerFactory.getLogger(SecretStore.class);
    public static final String COLLECTION = "secrets";

    /** A secret without its value, as the API lists it. */
    public record Info(String name, Date updatedAt, String updatedBy) {}

    private final MongoCollection<Document> coll;
    private final SecretCipher cipher;
    private final Clock clock;

    public SecretStore(MongoDatabase db, SecretCipher cipher, Clock clock) {
        this.coll = db.getCollection(COLLECTION);
        this.cipher = cipher;
        this.clock = clock;
    }

    /**
     * The vault of a starting controller: loads (or on first start generates) the key, and warns
     * when stored secrets were sealed with another key (they stay unreadable until it is given).
     */
    public static SecretStore open(io.drover.controller.Services s) {
        SecretsKey.Loaded key = SecretsKey.load(s.config().secretsKeyFile(), System.getenv(SecretsKey.ENV), s.config().dataDir());
        SecretStore store = new SecretStore(s.store().db(), new SecretCipher(key.key()), s.clock());
        long other = store.storedWithOtherKey();
        if (other > 0) {
            log.error("{} stored secrets were sealed with another secrets key than the one from {}: tasks will not get them."
                    + " Start the controller with the original key (--secrets-key-file or env {}), or set them again", other,
                    key.source(), SecretsKey.ENV);
        }
        return store;
    }

    static String id(String project, String name) {
        return project + ":" + name;
    }

    /** Creates or replaces a secret. */
    public Info put(String project, String name, String value, String by) {
        String id = id(project, name);
        SecretCipher.Sealed s = cipher.seal(id, value);
        Date now = new Date(clock.millis());
        Document d = new Document("_id", id).append("project", project).append("name", name)
                .append("ciphertext", new Binary(s.ciphertext())).append("iv", new Binary(s.iv()))
                .append("keyId", cipher.keyId()).append("updatedAt", now).append("updatedBy", by);
        coll.replaceOne(Filters.eq("_id", id), d, new ReplaceOptions().upsert(true));
        return new Info(name, now, by);
    }

    /** The project's secrets, names and dates only, sorted by name. */
    public List<Info> list(String project) {
        List<Info> out = new ArrayList<>();
        for (Document d : coll.find(Filters.eq("project", project)).projection(Projections.include("name", "updatedAt", "updatedBy"))) {
            out.add(new Info(d.getString("name"), d.getDate("updatedAt"), d.getString("updatedBy")));
        }
        out.sort(Comparator.comparing(Info::name));
        return out;
    }

    /** @return whether it existed */
    public boolean delete(String project, String name) {
        return coll.deleteOne(Filters.eq("_id", id(project, name))).getDeletedCount() == 1;
    }

    /** One value, decrypted; null when there is no such secret. */
    public String value(String project, String name) {
        Document d = coll.find(Filters.eq("_id", id(project, name))).first();
        return d == null ? null : open(d);
    }

    /**
     * The project's values, decrypted, for an agent's claim only. A value that does not decrypt
     * is left out and logged by name (never by value): the task still runs, and its missing
     * variable points at the message in the controller log.
     */
    public Map<String, String> values(String project) {
        Map<String, String> out = new LinkedHashMap<>();
        for (Document d : coll.find(Filters.eq("project", project))) {
            try {
                // the name from _id, which the AAD binds, not from a field that could be edited apart from it
                out.put(d.getString("_id").substring(project.length() + 1), open(d));
            } catch (SecretCipher.UnreadableSecret e) {
                log.error("not handing secret {} to the task: {}", d.getString("_id"), e.getMessage());
            }
        }
        return out;
    }

    /** Secrets that this controller's key cannot read (stored under another key); for a start-up warning. */
    public long storedWithOtherKey() {
        return coll.countDocuments(Filters.ne("keyId", cipher.keyId()));
    }

    private String open(Document d) {
        Binary iv = d.get("iv", Binary.class);
        Binary ct = d.get("ciphertext", Binary.class);
        if (iv == null || ct == null) {
            throw new SecretCipher.UnreadableSecret("secret " + d.getString("_id") + " has no stored value; set it again");
        }
        return cipher.open(d.getString("_id"), new SecretCipher.Sealed(iv.getData(), ct.getData()), d.getString("keyId"));
    }
}

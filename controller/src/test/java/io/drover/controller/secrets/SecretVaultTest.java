package io.drover.controller.secrets;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoClients;
import com.mongodb.client.MongoCollection;
import com.mongodb.client.MongoDatabase;
import de.bwaldvogel.mongo.MongoServer;
import io.drover.controller.store.CopyOnWriteH2Backend;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.time.Clock;
import java.util.Base64;
import java.util.Map;
import java.util.Set;
import org.bson.Document;
import org.bson.types.Binary;
import org.h2.mvstore.MVStore;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The vault's crypto and key handling, over the real driver against the embedded store. */
class SecretVaultTest {
    @TempDir
    Path tmp;

    MongoServer server;
    MongoClient client;
    MongoDatabase db;

    @BeforeEach
    void store() {
        server = new MongoServer(new CopyOnWriteH2Backend(new MVStore.Builder().open()));
        server.bind("127.0.0.1", 0);
        InetSocketAddress a = server.getLocalAddress();
        client = MongoClients.create("mongodb://127.0.0.1:" + a.getPort());
        db = client.getDatabase("vault");
    }

    @AfterEach
    void close() {
        client.close();
        server.shutdown();
    }

    SecretStore vault(String keyText) {
        return new SecretStore(db, new SecretCipher(SecretsKey.decode(keyText, "test key")), Clock.systemUTC());
    }

    MongoCollection<Document> coll() {
        return db.getCollection(SecretStore.COLLECTION);
    }

    @Test
    void roundTripStoresOnlyCiphertext() {
        SecretStore v = vault(SecretsKey.newKeyText());
        v.put("vision", "API_TOKEN", "s3cr3t-value-ü", "alice");
        assertThat(v.value("vision", "API_TOKEN")).isEqualTo("s3cr3t-value-ü");
        assertThat(v.values("vision")).isEqualTo(Map.of("API_TOKEN", "s3cr3t-value-ü"));
        assertThat(v.values("other")).isEmpty();
        Document d = coll().find().first();
        assertThat(d.getString("_id")).isEqualTo("vision:API_TOKEN");
        assertThat(d.toJson()).doesNotContain("s3cr3t");
        assertThat(d.get("iv", Binary.class).getData()).hasSize(12);
        // a fresh IV every time: the same value never gives the same ciphertext
        v.put("vision", "API_TOKEN", "s3cr3t-value-ü", "alice");
        Document d2 = coll().find().first();
        assertThat(d2.get("iv", Binary.class).getData()).isNotEqualTo(d.get("iv", Binary.class).getData());
        assertThat(v.list("vision")).extracting(SecretStore.Info::name).containsExactly("API_TOKEN");
        assertThat(v.delete("vision", "API_TOKEN")).isTrue();
        assertThat(v.value("vision", "API_TOKEN")).isNull();
    }

    @Test
    void wrongKeyFailsWithAClearMessage() {
        vault(SecretsKey.newKeyText()).put("vision", "API_TOKEN", "value-1", "alice");
        SecretStore other = vault(SecretsKey.newKeyText());
        assertThatThrownBy(() -> other.value("vision", "API_TOKEN"))
                .isInstanceOf(SecretCipher.UnreadableSecret.class)
                .hasMessageContaining("stored with another secrets key")
                .hasMessageContaining("--secrets-key-file");
        assertThat(other.storedWithOtherKey()).isEqualTo(1);
        // a claim still goes out, without the unreadable value
        assertThat(other.values("vision")).isEmpty();
    }

    @Test
    void tamperedCiphertextIsRejected() {
        SecretStore v = vault(SecretsKey.newKeyText());
        v.put("vision", "API_TOKEN", "value-1", "alice");
        byte[] ct = coll().find().first().get("ciphertext", Binary.class).getData();
        ct[0] ^= 1;
        coll().updateOne(new Document("_id", "vision:API_TOKEN"), new Document("$set", new Document("ciphertext", new Binary(ct))));
        assertThatThrownBy(() -> v.value("vision", "API_TOKEN"))
                .isInstanceOf(SecretCipher.UnreadableSecret.class)
                .hasMessageContaining("altered");
    }

    @Test
    void aadPreventsMovingAValueToAnotherSecret() {
        SecretStore v = vault(SecretsKey.newKeyText());
        v.put("vision", "API_TOKEN", "vision-token", "alice");
        v.put("nlp", "API_TOKEN", "nlp-token", "bob");
        Document src = coll().find(new Document("_id", "vision:API_TOKEN")).first();
        // someone with write access to the database copies vision's sealed value onto nlp's secret
        coll().updateOne(new Document("_id", "nlp:API_TOKEN"), new Document("$set",
                new Document("ciphertext", src.get("ciphertext")).append("iv", src.get("iv"))));
        assertThatThrownBy(() -> v.value("nlp", "API_TOKEN")).isInstanceOf(SecretCipher.UnreadableSecret.class);
        assertThat(v.values("nlp")).isEmpty();
        // and onto another name in the same project
        coll().insertOne(new Document(src).append("_id", "vision:OTHER").append("name", "OTHER"));
        assertThatThrownBy(() -> v.value("vision", "OTHER")).isInstanceOf(SecretCipher.UnreadableSecret.class);
        assertThat(v.values("vision")).isEqualTo(Map.of("API_TOKEN", "vision-token"));
    }

    @Test
    void keyIsGeneratedOnceWithMode0600AndReusedThenFileAndEnvWin() throws Exception {
        Path data = tmp.resolve("data");
        SecretsKey.Loaded first = SecretsKey.load(null, null, data);
        assertThat(first.generated()).isTrue();
        Path f = data.resolve("secrets.key");
        assertThat(Files.getPosixFilePermissions(f)).isEqualTo(Set.of(PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE));
        SecretsKey.Loaded again = SecretsKey.load(null, null, data);
        assertThat(again.generated()).isFalse();
        assertThat(again.key().getEncoded()).isEqualTo(first.key().getEncoded());
        assertThat(again.toString()).doesNotContain(Files.readString(f).strip());

        String env = SecretsKey.newKeyText();
        assertThat(SecretsKey.load(null, env, data).key().getEncoded()).isEqualTo(Base64.getDecoder().decode(env));
        Path file = tmp.resolve("my.key");
        String fileKey = SecretsKey.newKeyText();
        Files.writeString(file, fileKey + "\n");
        assertThat(SecretsKey.load(file, env, data).key().getEncoded()).isEqualTo(Base64.getDecoder().decode(fileKey));
    }

    @Test
    void badKeysAreRefusedWithWhatToDo() throws Exception {
        assertThatThrownBy(() -> SecretsKey.load(tmp.resolve("missing.key"), null, tmp))
                .hasMessageContaining("does not exist");
        assertThatThrownBy(() -> SecretsKey.load(null, "not base64!!", tmp))
                .hasMessageContaining("DROVER_SECRETS_KEY").hasMessageContaining("head -c 32 /dev/urandom | base64");
        assertThatThrownBy(() -> SecretsKey.load(null, Base64.getEncoder().encodeToString(new byte[16]), tmp))
                .hasMessageContaining("16 bytes, not 32");
    }
}

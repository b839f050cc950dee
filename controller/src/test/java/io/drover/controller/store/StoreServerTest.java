package io.drover.controller.store;

import static io.drover.controller.testing.Tasks.task;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.mongodb.ConnectionString;
import com.mongodb.MongoClientSettings;
import com.mongodb.WriteConcern;
import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoClients;
import com.mongodb.client.MongoCollection;
import com.mongodb.client.model.Filters;
import com.mongodb.client.model.FindOneAndUpdateOptions;
import com.mongodb.client.model.ReturnDocument;
import com.mongodb.client.model.Updates;
import io.drover.controller.Controller;
import io.drover.controller.config.ControllerConfig;
import io.drover.controller.testing.Api;
import io.drover.shared.json.Json;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.bson.Document;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code drover store}: a standalone store that controllers share, durable per acknowledged write. */
class StoreServerTest {
    @TempDir
    Path tmp;

    /** The client settings a controller uses with --mongo-uri (Store.open): journaled majority writes. */
    private static MongoClient client(String uri) {
        return MongoClients.create(MongoClientSettings.builder().applyConnectionString(new ConnectionString(uri))
                .writeConcern(WriteConcern.MAJORITY.withJournal(true))
                .applyToClusterSettings(b -> b.serverSelectionTimeout(10, TimeUnit.SECONDS)).build());
    }

    @Test
    void acknowledgedWritesSurviveKill9OfTheStore() throws Exception {
        Path data = tmp.resolve("data");
        Set<String> acked = new HashSet<>();
        StoreServerProcess first = StoreServerProcess.start(data, tmp.resolve("first.log"));
        try (MongoClient c = client(first.uri())) {
            MongoCollection<Document> docs = c.getDatabase("drover").getCollection("docs");
            // concurrent single inserts: they share group commits
            List<CompletableFuture<List<String>>> writers = new ArrayList<>();
            for (int w = 0; w < 4; w++) {
                int writer = w;
                writers.add(CompletableFuture.supplyAsync(() -> {
                    List<String> ids = new ArrayList<>();
                    for (int n = 0; n < 100; n++) {
                        String id = "w" + writer + "-" + n;
                        docs.insertOne(new Document("_id", id).append("n", n));
                        ids.add(id);
                    }
                    return ids;
                }));
            }
            for (var f : writers) acked.addAll(f.get(60, TimeUnit.SECONDS));
            // Past H2's own once-a-second commit: what follows is on disk only if the store
            // committed it before answering.
            Thread.sleep(1500);
            docs.insertMany(List.of(new Document("_id", "late-1"), new Document("_id", "late-2")));
            acked.addAll(List.of("late-1", "late-2"));
            docs.updateOne(Filters.eq("_id", "w0-0"), Updates.set("updated", true));
            Document claimed = docs.findOneAndUpdate(Filters.eq("_id", "w1-1"), Updates.inc("n", 1000),
                    new FindOneAndUpdateOptions().returnDocument(ReturnDocument.AFTER));
            assertThat(claimed.getInteger("n")).isEqualTo(1001);
            docs.deleteOne(Filters.eq("_id", "w2-2"));
            acked.remove("w2-2");
        } finally {
            first.kill();
        }

        try (StoreServerProcess second = StoreServerProcess.start(data, tmp.resolve("second.log"));
             MongoClient c = client(second.uri())) {
            MongoCollection<Document> docs = c.getDatabase("drover").getCollection("docs");
            Set<String> found = new HashSet<>();
            docs.find().forEach(d -> found.add(d.getString("_id")));
            assertThat(found).as("acknowledged documents after kill -9").containsExactlyInAnyOrderElementsOf(acked);
            assertThat(docs.find(Filters.eq("_id", "w0-0")).first().getBoolean("updated")).isTrue();
            assertThat(docs.find(Filters.eq("_id", "w1-1")).first().getInteger("n")).isEqualTo(1001);
        }
    }

    @Test
    void startUpErrorsSayWhatToDo() throws Exception {
        Path data = tmp.resolve("busy");
        try (StoreServer running = StoreServer.start(data, "127.0.0.1", 0)) {
            // the same directory again (the file lock also holds within one JVM)
            assertThatThrownBy(() -> StoreServer.start(data, "127.0.0.1", 0))
                    .isInstanceOf(EmbeddedStore.DataDirInUseException.class);
            // the same port with another directory
            int port = running.address().getPort();
            assertThatThrownBy(() -> StoreServer.start(tmp.resolve("other"), "127.0.0.1", port))
                    .isInstanceOf(StoreServer.PortInUseException.class)
                    .hasMessageContaining("port " + port + " on 127.0.0.1 is already in use")
                    .hasMessageContaining("pick another --port");
            // the other directory was released again: a store starts there
            try (StoreServer other = StoreServer.start(tmp.resolve("other"), "127.0.0.1", 0)) {
                assertThat(other.connectionString()).startsWith("mongodb://127.0.0.1:");
            }
        }
        assertThat(StoreMain.bindRefusal("0.0.0.0", false)).contains("refusing to listen on 0.0.0.0").contains("--insecure");
        assertThat(StoreMain.bindRefusal("0.0.0.0", true)).isNull();
        assertThat(StoreMain.bindRefusal("127.0.0.1", false)).isNull();
        assertThat(StoreMain.bindRefusal("localhost", false)).isNull();
    }

    /** The command line as users run it: the message of a second store on a busy data directory. */
    @Test
    void secondStoreOnABusyDataDirectoryIsRefused() throws Exception {
        Path data = tmp.resolve("busy");
        try (StoreServer running = StoreServer.start(data, "127.0.0.1", 0)) {
            StoreServerProcess.ChildResult locked = StoreServerProcess.run(data, "0");
            assertThat(locked.exitCode()).isEqualTo(1);
            assertThat(locked.output()).contains("data directory " + data.toAbsolutePath().normalize() + " is in use by another process");
        }
    }

    @Test
    void twoControllersShareTheStore() throws Exception {
        try (StoreServer store = StoreServer.start(tmp.resolve("store"), "127.0.0.1", 0)) {
            ControllerConfig base = ControllerConfig.defaults().withPort(0).withAuth(false).withMongoUri(store.connectionString());
            try (Controller a = Controller.start(base.withDataDir(tmp.resolve("a")));
                 Controller b = Controller.start(base.withDataDir(tmp.resolve("b")))) {
                Api apiA = new Api(a.baseUrl());
                Api apiB = new Api(b.baseUrl());
                String id = apiA.ok("/tasks", task("shared").put("queue", "shared").put("enqueue", true)).path("id").asText();
                apiA.ok("/workers", Json.object().put("name", "w1").set("queues", Json.MAPPER.createArrayNode().add("shared")));
                ObjectNode claim = Json.object().put("wait", 5);
                claim.putArray("queues").add("shared");
                JsonNode claimed = apiA.ok("/workers/w1/claim", claim);
                assertThat(claimed).as("claim answer").isNotNull();
                assertThat(claimed.path("task").path("id").asText()).isEqualTo(id);
                long epoch = claimed.path("lease").path("epoch").asLong();
                // the other controller sees the same store
                assertThat(apiB.okGet("/tasks/" + id).path("status").asText()).isEqualTo("running");
                apiA.ok("/tasks/" + id + "/finish", Json.object().put("epoch", epoch).put("status", "completed").put("exitCode", 0));
                assertThat(apiB.okGet("/tasks/" + id).path("status").asText()).isEqualTo("completed");
            }
        }
    }
}

package io.drover.controller.tasks;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.mongodb.MongoClientSettings;
import com.mongodb.ConnectionString;
import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoClients;
import com.mongodb.client.MongoCollection;
import de.bwaldvogel.mongo.MongoServer;
import io.drover.controller.store.CopyOnWriteH2Backend;
import io.drover.queue.TaskFields;
import io.drover.shared.domain.DroverException;
import io.drover.shared.domain.ErrorCode;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.Date;
import java.util.concurrent.TimeUnit;
import org.bson.Document;
import org.h2.mvstore.MVStore;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The task index loads in the background (the controller serves agents meanwhile): a listing
 * asked before the first load has finished waits for it, or is told to come back; a load that
 * fails because the store is not there yet is retried. Real embedded store over the wire driver.
 */
@Timeout(60)
class TaskIndexBackgroundLoadTest {

    @Test
    void aListingWaitsForTheFirstLoadAndALoadThatFailedIsRetried() throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort(); // nothing listens there yet: the first load attempts fail
        }
        MongoClientSettings settings = MongoClientSettings.builder()
                .applyConnectionString(new ConnectionString("mongodb://127.0.0.1:" + port))
                .applyToClusterSettings(b -> b.serverSelectionTimeout(300, TimeUnit.MILLISECONDS))
                .applyToServerSettings(b -> b.heartbeatFrequency(500, TimeUnit.MILLISECONDS))
                .build();
        MongoServer server = null;
        try (MongoClient client = MongoClients.create(settings)) {
            MongoCollection<Document> tasks = client.getDatabase("drover").getCollection("tasks");
            TaskIndex index = new TaskIndex(tasks, Runnable::run, Duration.ofMillis(500), Duration.ofMillis(200));
            index.loadInBackground(() -> false);

            // before any load succeeded: not an empty list (that would be a lie) but "come back"
            assertThatThrownBy(() -> index.query(TaskIndexQuery.all(50), null))
                    .isInstanceOf(DroverException.class)
                    .satisfies(e -> assertThat(((DroverException) e).code()).isEqualTo(ErrorCode.UNAVAILABLE))
                    .hasMessageContaining("still loading its task list")
                    .hasMessageContaining("try again in a few seconds");

            // the store comes up with tasks in it: the retried load finds them, and a listing sees all
            server = new MongoServer(new CopyOnWriteH2Backend(new MVStore.Builder().open()));
            server.bind("127.0.0.1", port);
            Date now = new Date();
            try (MongoClient writer = MongoClients.create("mongodb://127.0.0.1:" + port)) {
                MongoCollection<Document> w = writer.getDatabase("drover").getCollection("tasks");
                for (int i = 0; i < 25; i++) {
                    String id = String.format("%024x", i);
                    w.insertOne(new Document(TaskFields.ID, id).append("name", "t" + i)
                            .append("project", "p").append(TaskFields.STATUS, "created").append("createdAt", now).append("updatedAt", now));
                    // as TaskEvents does after every write: during the load too (it may have read before this insert)
                    index.changed(id);
                }
            }
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            TaskIndex.Result r = null;
            while (r == null && System.nanoTime() < deadline) {
                try {
                    r = index.query(TaskIndexQuery.all(50), null);
                } catch (DroverException stillLoading) {
                    Thread.sleep(100);
                }
            }
            assertThat(r).as("a listing once the store is up").isNotNull();
            assertThat(r.total()).isEqualTo(25);
            assertThat(index.size()).isEqualTo(25);
        } finally {
            if (server != null) server.shutdownNow();
        }
    }
}

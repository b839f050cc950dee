package io.drover.queue.mongo;

import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoClients;
import com.mongodb.client.MongoDatabase;
import io.drover.queue.TaskQueueContractTest;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.condition.EnabledIfEnvironmentVariable;

/**
 * The contract on a real MongoDB, e.g. {@code DROVER_TEST_MONGO_URI=mongodb://127.0.0.1:27017}.
 * Each test uses its own database and drops it afterwards.
 */
@EnabledIfEnvironmentVariable(named = "DROVER_TEST_MONGO_URI", matches = ".+",
        disabledReason = "no real MongoDB: set DROVER_TEST_MONGO_URI=mongodb://host:port to run the queue contract against one")
class RealMongoTaskQueueTest extends TaskQueueContractTest {
    private static MongoClient client;

    @BeforeAll
    static void connect() {
        client = MongoClients.create(System.getenv("DROVER_TEST_MONGO_URI"));
    }

    @AfterAll
    static void disconnect() {
        if (client != null) client.close();
    }

    @Override
    protected MongoDatabase freshDatabase(String name) {
        return client.getDatabase(name);
    }
}

package io.drover.queue.mongo;

import com.mongodb.client.MongoDatabase;
import io.drover.queue.TaskQueueContractTest;
import io.drover.queue.testing.EmbeddedMongo;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/** The contract on the embedded store with the memory backend. */
class EmbeddedMemoryTaskQueueTest extends TaskQueueContractTest {
    private static EmbeddedMongo store;

    @BeforeAll
    static void start() {
        store = EmbeddedMongo.memory();
    }

    @AfterAll
    static void stop() {
        if (store != null) store.close();
    }

    @Override
    protected MongoDatabase freshDatabase(String name) {
        return store.client().getDatabase(name);
    }
}

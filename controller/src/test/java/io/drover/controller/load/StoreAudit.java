package io.drover.controller.load;

import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoClients;
import com.mongodb.client.MongoCollection;
import com.mongodb.client.model.Filters;
import com.mongodb.client.model.Projections;
import io.drover.queue.TaskFields;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.bson.Document;

/**
 * The other side of "exactly once": what the store says after the run, read with the driver
 * (not through a controller, whose task index is its own): every task of the run completed, on
 * its first attempt, and none left queued or running.
 *
 * @param byStatus      task count per status
 * @param notFirstTry   completed tasks whose {@code execution.attempt} is not 1 (claimed more than once)
 * @param missing       ledger ids the store does not have
 * @param unexpected    tasks in the store the ledger never saw created
 */
record StoreAudit(Map<String, Integer> byStatus, int notFirstTry, int missing, int unexpected) {

    static StoreAudit of(String uri, Set<String> createdIds) {
        try (MongoClient c = MongoClients.create(uri)) {
            MongoCollection<Document> tasks = c.getDatabase(new com.mongodb.ConnectionString(uri).getDatabase())
                    .getCollection(TaskFields.COLLECTION);
            Map<String, Integer> byStatus = new TreeMap<>();
            int notFirst = 0;
            Set<String> seen = new HashSet<>();
            for (Document d : tasks.find(Filters.eq("project", "load"))
                    .projection(Projections.include(TaskFields.STATUS, TaskFields.ATTEMPT))) {
                String status = d.getString(TaskFields.STATUS);
                byStatus.merge(status, 1, Integer::sum);
                Document exec = d.get(TaskFields.EXECUTION, Document.class);
                Number attempt = exec == null ? null : exec.get("attempt", Number.class);
                if ("completed".equals(status) && (attempt == null || attempt.intValue() != 1)) notFirst++;
                seen.add(d.get(TaskFields.ID).toString());
            }
            int missing = 0;
            for (String id : createdIds) if (!seen.contains(id)) missing++;
            int unexpected = 0;
            for (String id : seen) if (!createdIds.contains(id)) unexpected++;
            return new StoreAudit(byStatus, notFirst, missing, unexpected);
        }
    }

    int count(String status) {
        return byStatus.getOrDefault(status, 0);
    }

    /** Every created task completed, nothing else in the store, nothing left queued or running. */
    boolean completedOnly(int tasks) {
        return count("completed") == tasks && byStatus.size() == 1 && missing == 0 && unexpected == 0;
    }
}

package io.drover.controller.ui;

import com.mongodb.client.MongoCollection;
import com.mongodb.client.MongoDatabase;
import com.mongodb.client.model.Filters;
import com.mongodb.client.model.Projections;
import com.mongodb.client.model.Sorts;
import io.drover.queue.TaskFields;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.Set;
import org.bson.Document;
import org.bson.conversions.Bson;

/**
 * The newest tasks for the page at {@code /}. Sorted by {@code _id}, whose first bytes are the
 * creation second ({@code Ids.newId}), so no secondary index is needed. Blocks on the store.
 */
public final class TaskRows {
    private final MongoCollection<Document> tasks;

    public TaskRows(MongoDatabase db) {
        this.tasks = db.getCollection(TaskFields.COLLECTION);
    }

    /** The newest tasks of all projects. */
    public List<TaskRow> newest(int limit) {
        return newest(limit, null);
    }

    /** The newest tasks of {@code projects} only (null: every project; empty: none). */
    public List<TaskRow> newest(int limit, Set<String> projects) {
        List<TaskRow> out = new ArrayList<>();
        if (projects != null && projects.isEmpty()) return out;
        Bson filter = projects == null ? Filters.ne("archived", true)
                : Filters.and(Filters.ne("archived", true), Filters.in("project", projects));
        for (Document d : tasks.find(filter)
                .projection(Projections.include("name", "project", TaskFields.STATUS, TaskFields.QUEUE, "createdAt", TaskFields.EXECUTION))
                .sort(Sorts.descending(TaskFields.ID)).limit(limit)) {
            Document ex = d.get(TaskFields.EXECUTION) instanceof Document e ? e : new Document();
            out.add(new TaskRow(String.valueOf(d.get(TaskFields.ID)), d.getString("name"), d.getString("project"),
                    d.getString(TaskFields.STATUS), d.getString(TaskFields.QUEUE), ex.getString("worker"),
                    instant(d.get("createdAt")), instant(ex.get("startedAt")), instant(ex.get("finishedAt"))));
        }
        return out;
    }

    private static Instant instant(Object o) {
        if (o instanceof Date d) return d.toInstant();
        if (o instanceof String s) {
            try {
                return Instant.parse(s);
            } catch (DateTimeParseException e) {
                return null;
            }
        }
        return null;
    }
}

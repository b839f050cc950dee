package io.drover.controller.reports;

import com.mongodb.client.MongoCollection;
import com.mongodb.client.MongoDatabase;
import com.mongodb.client.model.FindOneAndUpdateOptions;
import com.mongodb.client.model.Filters;
import com.mongodb.client.model.Projections;
import com.mongodb.client.model.ReplaceOptions;
import com.mongodb.client.model.ReturnDocument;
import com.mongodb.client.model.Updates;
import io.drover.controller.tasks.TaskFence;
import io.drover.queue.TaskFields;
import io.drover.shared.domain.DroverException;
import java.util.ArrayList;
import java.util.List;
import org.bson.Document;

/**
 * Plots, text reports and configuration objects of tasks, stored so that every read and write is
 * an exact {@code _id} lookup (the embedded store ignores non-unique indexes):
 * <ul>
 *   <li>{@code task_reports}: one document per plot or text, {@code _id = task:p:seq} or
 *   {@code task:t:seq}, seq from 1 in arrival order.</li>
 *   <li>{@code task_report_meta}: one small document per task, {@code _id = task}, holding the
 *   counters {@code plotN}/{@code textN} (bumped atomically with {@code $inc}) and the list of
 *   config names, so listings walk known keys instead of scanning.</li>
 *   <li>{@code task_configs}: one document per config, {@code _id = task:name}, replaced on PUT.</li>
 * </ul>
 * Every method blocks: call it off the event loop.
 */
public final class ReportStore {
    public static final String REPORTS = "task_reports";
    public static final String META = "task_report_meta";
    public static final String CONFIGS = "task_configs";
    /** A task keeps at most this many configuration objects. */
    public static final int MAX_CONFIGS = 100;
    /** A listing page with a kind filter looks at most this many records (then returns a cursor). */
    static final int MAX_SCAN = 1000;

    /** Which list a record belongs to. */
    public enum Kind {
        PLOT("p", "plotN"), TEXT("t", "textN");

        final String tag;
        final String counter;

        Kind(String tag, String counter) {
            this.tag = tag;
            this.counter = counter;
        }
    }

    /** One page of a listing, newest first; {@code next} is the {@code before} of the next page, or null at the end. */
    public record Page(List<Document> items, Long next) {}

    private final MongoCollection<Document> tasks;
    private final MongoCollection<Document> reports;
    private final MongoCollection<Document> meta;
    private final MongoCollection<Document> configs;

    public ReportStore(MongoDatabase db) {
        this.tasks = db.getCollection(TaskFields.COLLECTION);
        this.reports = db.getCollection(REPORTS);
        this.meta = db.getCollection(META);
        this.configs = db.getCollection(CONFIGS);
    }

    /**
     * Checks that the task exists and, when {@code epoch} is given, that it is running under that
     * lease epoch (the agent route).
     *
     * @throws DroverException not_found, stale_lease (409)
     */
    public void checkTask(String taskId, Long epoch) {
        TaskFence.check(tasks, taskId, epoch);
    }

    /** Stores a record (fields without {@code _id}/{@code seq}) and returns its seq. */
    public long add(String taskId, Kind kind, Document fields) {
        Document m = meta.findOneAndUpdate(Filters.eq("_id", taskId), Updates.inc(kind.counter, 1L),
                new FindOneAndUpdateOptions().upsert(true).returnDocument(ReturnDocument.AFTER));
        long seq = ((Number) m.get(kind.counter)).longValue();
        Document d = new Document("_id", id(taskId, kind, seq)).append("task", taskId).append("seq", seq);
        d.putAll(fields);
        reports.insertOne(d);
        return seq;
    }

    /** One record, or null. */
    public Document get(String taskId, Kind kind, long seq) {
        return reports.find(Filters.eq("_id", id(taskId, kind, seq))).first();
    }

    /**
     * Records newest first, with seq below {@code before} (null: from the newest), at most
     * {@code limit}, of kind {@code plotKind} when not null; {@code exclude} is left out of each item.
     */
    public Page list(String taskId, Kind kind, Long before, int limit, String plotKind, String exclude) {
        Document m = meta.find(Filters.eq("_id", taskId)).first();
        long top = m == null || !(m.get(kind.counter) instanceof Number n) ? 0 : n.longValue();
        long seq = before == null ? top : Math.min(before - 1, top);
        List<Document> out = new ArrayList<>();
        int scanned = 0;
        // walk known keys downwards: exact _id reads, a bounded number per page
        for (; seq >= 1 && out.size() < limit && scanned < MAX_SCAN; seq--, scanned++) {
            Document d = reports.find(Filters.eq("_id", id(taskId, kind, seq))).projection(Projections.exclude(exclude)).first();
            if (d == null) continue;
            if (plotKind != null && !plotKind.equals(d.getString("kind"))) continue;
            out.add(d);
        }
        return new Page(out, seq >= 1 ? seq + 1 : null);
    }

    /** Creates or replaces a config; returns true when it was new. */
    public boolean putConfig(String taskId, String name, Document fields) {
        Document m = meta.find(Filters.eq("_id", taskId)).first();
        List<String> names = m == null ? List.of() : m.getList("configs", String.class, List.of());
        boolean fresh = !names.contains(name);
        if (fresh && names.size() >= MAX_CONFIGS) {
            throw DroverException.badRequest("task " + taskId + " already has " + MAX_CONFIGS
                    + " configuration objects; replace one of them (PUT with an existing name) instead of adding more");
        }
        Document d = new Document("_id", taskId + ":" + name).append("task", taskId).append("name", name);
        d.putAll(fields);
        configs.replaceOne(Filters.eq("_id", d.get("_id")), d, new ReplaceOptions().upsert(true));
        if (fresh) meta.updateOne(Filters.eq("_id", taskId), Updates.addToSet("configs", name), new com.mongodb.client.model.UpdateOptions().upsert(true));
        return fresh;
    }

    /** One config, or null. */
    public Document config(String taskId, String name) {
        return configs.find(Filters.eq("_id", taskId + ":" + name)).first();
    }

    /** All configs of a task, by name, without their content. */
    public List<Document> configs(String taskId) {
        Document m = meta.find(Filters.eq("_id", taskId)).first();
        List<String> names = new ArrayList<>(m == null ? List.of() : m.getList("configs", String.class, List.of()));
        names.sort(null);
        List<Document> out = new ArrayList<>();
        for (String name : names) {
            Document d = configs.find(Filters.eq("_id", taskId + ":" + name)).projection(Projections.exclude("content")).first();
            if (d != null) out.add(d);
        }
        return out;
    }

    private static String id(String taskId, Kind kind, long seq) {
        return taskId + ":" + kind.tag + ":" + seq;
    }
}

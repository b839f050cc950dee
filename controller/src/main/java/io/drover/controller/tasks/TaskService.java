package io.drover.controller.tasks;

import com.fasterxml.jackson.databind.JsonNode;
import com.mongodb.client.MongoCollection;
import com.mongodb.client.model.Filters;
import com.mongodb.client.model.ReplaceOptions;
import com.mongodb.client.model.Updates;
import io.drover.controller.Services;
import io.drover.controller.http.Http;
import io.drover.controller.store.Collections;
import io.drover.controller.workers.ControlChannel;
import io.drover.queue.TaskFields;
import io.drover.queue.TaskQueue;
import io.drover.shared.domain.DroverException;
import io.drover.shared.domain.TaskStatus;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Date;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.bson.Document;

/**
 * Task operations behind the {@code /tasks} resource. Every method blocks on the store: call it
 * on the store pool. Single-task updates are compare-and-set on {@code {_id, status}} so a
 * concurrent claim or finish is never overwritten.
 */
public final class TaskService {
    public static final int MAX_LIMIT = 500;
    /** Changes of the same task within this window cost one index re-read. */
    static final long INDEX_COALESCE_MS = 20;

    private final MongoCollection<Document> tasks;
    private final MongoCollection<Document> diffs;
    private final TaskQueue queue;
    private final Catalog catalog;
    private final TaskEvents events;
    private final ControlChannel control;
    private final Clock clock;
    private final TaskAnnotations annotations;
    private final TaskIndex index;

    public TaskService(Services s, Catalog catalog) {
        this.tasks = s.store().tasks();
        this.diffs = s.store().collection(Collections.TASK_DIFFS);
        this.queue = s.queue();
        this.catalog = catalog;
        this.events = s.events();
        this.control = s.control();
        this.clock = s.clock();
        this.annotations = new TaskAnnotations(this, tasks, s.store().collection(TaskAnnotations.COMMENTS), clock);
        // the listing index: listens first, then loads, so no change made during the scan is lost
        this.index = new TaskIndex(tasks, refresh -> s.vertx().setTimer(INDEX_COALESCE_MS,
                t -> s.storePool().executeBlocking(() -> {
                    refresh.run();
                    return null;
                }, false)));
        s.events().add(index);
        index.loadInBackground(s.store()::isClosed);
    }

    /** Tags, description, properties and comments of tasks. */
    public TaskAnnotations annotations() {
        return annotations;
    }

    // ---------------------------------------------------------------- create, read

    public Document create(NewTask t, String parentId) {
        return create(t, parentId, null);
    }

    /** Creates the task as {@code user} (the creating principal's name; null for none). */
    public Document create(NewTask t, String parentId, String user) {
        String id = io.drover.shared.domain.Ids.newId();
        Date now = now();
        if (t.diff() != null) {
            // the diff goes first: a task that says hasDiff always has one
            diffs.replaceOne(new Document("_id", id), new Document("_id", id).append("diff", t.diff()),
                    new ReplaceOptions().upsert(true));
        }
        NewTask.Script s = t.script();
        Document doc = new Document(TaskFields.ID, id)
                .append(TaskDoc.NAME, t.name())
                .append(TaskDoc.PROJECT, t.project())
                .append(TaskFields.STATUS, TaskStatus.CREATED.wire())
                .append(TaskFields.STATUS_REASON, null)
                .append(TaskFields.QUEUE, t.queue())
                .append(TaskFields.PRIORITY, t.priority())
                .append(TaskFields.RETRIES, t.retries())
                .append(TaskFields.EPOCH, 0L)
                .append(TaskFields.LEASE, null)
                .append(TaskDoc.TAGS, t.tags())
                .append(TaskDoc.PARAMS, TaskJson.paramDocs(t.params()))
                .append(TaskDoc.SCRIPT, new Document("repo", s.repo()).append("branch", s.branch()).append("commit", s.commit())
                        .append("entryPoint", s.entryPoint()).append("args", s.args()).append("workingDir", s.workingDir())
                        .append("requirements", s.requirements()).append("hasDiff", t.diff() != null))
                .append(TaskFields.EXECUTION, new Document("worker", null).append("attempt", 0))
                .append(TaskDoc.CAPTURED, new Document())
                .append(TaskDoc.ARTIFACTS, List.of())
                .append(TaskDoc.PARENT_ID, parentId)
                .append(TaskDoc.CREATED_AT, now)
                .append(TaskFields.UPDATED_AT, now)
                .append(TaskDoc.ARCHIVED, false)
                .append(TaskDoc.USER, user);
        t.runtime().appendTo(doc); // resources, environment, container (issue 5)
        catalog.ensureProject(t.project());
        tasks.insertOne(doc);
        if (t.enqueue()) enqueueNow(id, t.queue(), t.priority(), TaskQueue.Position.BOTTOM);
        events.changed(id);
        return get(id);
    }

    public Document get(String id) {
        Document d = tasks.find(TaskFields.byId(id)).first();
        if (d == null) throw DroverException.notFound("task", id);
        return d;
    }

    public String diff(String id) {
        return diffOf(get(id));
    }

    /** The uncommitted diff of this task document ("" when it has none). */
    public String diffOf(Document t) {
        String id = t.getString(TaskFields.ID);
        Document script = t.get(TaskDoc.SCRIPT, Document.class);
        if (script == null || !Boolean.TRUE.equals(script.getBoolean("hasDiff"))) return "";
        Document d = diffs.find(new Document("_id", id)).first();
        return d == null ? "" : d.getString("diff");
    }

    /** A page of tasks and the total matching. */
    public record Page(List<Document> items, long total, int offset, int limit) {}

    /** The listing index behind {@link #list} (kept current through {@link TaskEvents#changed}). */
    public TaskIndex index() {
        return index;
    }

    /**
     * A page of tasks: filtered, sorted and paged in the in-memory {@link TaskIndex}, then the
     * page's full documents read by {@code _id}.
     *
     * @param visible the projects the caller may read (null: all)
     */
    public Page list(TaskIndexQuery q, java.util.Set<String> visible) {
        TaskIndex.Result r = index.query(q, visible);
        List<Document> items = new ArrayList<>(r.ids().size());
        // one exact _id lookup per task: the embedded store scans the whole collection for $in
        for (String id : r.ids()) {
            Document d = tasks.find(TaskFields.byId(id)).first();
            if (d != null) items.add(d); // gone between the index and the read: skipped
        }
        return new Page(items, r.total(), q.offset(), q.limit());
    }

    // ---------------------------------------------------------------- clone

    public Document cloneTask(String sourceId, JsonNode b) {
        return cloneTask(sourceId, b, null);
    }

    /** Clones as {@code user}: the clone belongs to whoever cloned it. */
    public Document cloneTask(String sourceId, JsonNode b, String user) {
        Http.requireOnly(b, "name", "params", "queue", "priority", "enqueue",
                TaskRuntime.RESOURCES, TaskRuntime.ENVIRONMENT, TaskRuntime.CONTAINER);
        Document src = get(sourceId);
        Map<String, String> params = new LinkedHashMap<>(TaskJson.params(src));
        params.putAll(Fields.params(b, "params"));
        Document s = src.get(TaskDoc.SCRIPT, Document.class);
        NewTask.Script script = new NewTask.Script(s.getString("repo"), s.getString("branch"), s.getString("commit"),
                s.getString("entryPoint"), s.getString("args"), s.getString("workingDir"), s.getString("requirements"));
        String name = Fields.string(b, "name", src.getString(TaskDoc.NAME), NewTask.MAX_NAME);
        if (name.isBlank()) throw Fields.bad("'name' must not be empty");
        String diff = Boolean.TRUE.equals(s.getBoolean("hasDiff")) ? diff(sourceId) : null;
        @SuppressWarnings("unchecked")
        List<String> tags = src.get(TaskDoc.TAGS) instanceof List<?> l ? (List<String>) l : List.of();
        NewTask t = new NewTask(name, src.getString(TaskDoc.PROJECT),
                Fields.name(b, "queue", src.getString(TaskFields.QUEUE)),
                Fields.integer(b, "priority", src.getInteger(TaskFields.PRIORITY, 0), Fields.MIN_PRIORITY, Fields.MAX_PRIORITY),
                src.getInteger(TaskFields.RETRIES, NewTask.DEFAULT_RETRIES), tags, params, script,
                diff == null || diff.isEmpty() ? null : diff, Fields.bool(b, "enqueue", false),
                TaskRuntime.parse(b, TaskRuntime.of(src)));
        return create(t, sourceId, user);
    }

    // ---------------------------------------------------------------- queue transitions

    public Document enqueue(String id, JsonNode b) {
        Http.requireOnly(b, "queue", "priority", "position");
        Document d = get(id);
        TaskStatus from = status(d);
        if (from == TaskStatus.RUNNING || !from.canMoveTo(TaskStatus.QUEUED)) {
            throw DroverException.conflict(TaskStatus.illegalTransition(from, TaskStatus.QUEUED)
                    + (from == TaskStatus.QUEUED ? "; it is already queued (move it within its queue, or dequeue it first)"
                    : from == TaskStatus.RUNNING ? "; it is running (abort it first)" : ""));
        }
        String q = Fields.name(b, "queue", d.getString(TaskFields.QUEUE) == null ? NewTask.DEFAULT_QUEUE : d.getString(TaskFields.QUEUE));
        int priority = Fields.integer(b, "priority", d.getInteger(TaskFields.PRIORITY, 0), Fields.MIN_PRIORITY, Fields.MAX_PRIORITY);
        TaskQueue.Position pos = position(Fields.string(b, "position", "bottom", 16), "top", "bottom");
        if (from.isFinal()) {
            // a re-run starts clean: no leftover abort request or result of the previous run
            tasks.updateOne(cas(d), Updates.combine(
                    Updates.unset(TaskDoc.ABORT_REQUESTED), Updates.set(TaskFields.STATUS_REASON, null),
                    Updates.set(TaskDoc.EXIT_CODE, null), Updates.set(TaskFields.FINISHED_AT, null)));
        }
        enqueueNow(id, q, priority, pos);
        events.changed(id);
        return get(id);
    }

    private void enqueueNow(String id, String q, int priority, TaskQueue.Position pos) {
        catalog.ensureQueue(q);
        queue.enqueue(id, q, priority, pos);
        events.enqueued(id, q);
    }

    public Document dequeue(String id) {
        Document d = get(id);
        TaskStatus from = status(d);
        if (from != TaskStatus.QUEUED) throw DroverException.conflict(TaskStatus.illegalTransition(from, TaskStatus.CREATED)
                + "; only a queued task can be dequeued");
        queue.dequeue(id);
        events.changed(id);
        return get(id);
    }

    /** {@code top|bottom} or {@code front|back} → position. */
    public static TaskQueue.Position position(String v, String first, String last) {
        if (first.equalsIgnoreCase(v)) return TaskQueue.Position.TOP;
        if (last.equalsIgnoreCase(v)) return TaskQueue.Position.BOTTOM;
        throw DroverException.badRequest("'position' must be '" + first + "' or '" + last + "', got '" + v + "'");
    }

    // ---------------------------------------------------------------- abort, archive

    /**
     * created/queued → aborted at once. running → {@code abortRequested} is recorded and pushed to
     * the agent holding the lease, which kills the process and finishes the task as aborted.
     */
    public Document abort(String id, JsonNode b) {
        Http.requireOnly(b, "reason");
        String reason = Fields.string(b, "reason", null, 1024);
        if (reason == null || reason.isBlank()) reason = "aborted by user";
        for (int attempt = 0; attempt < 10; attempt++) {
            Document d = get(id);
            TaskStatus from = status(d);
            Date now = now();
            switch (from) {
                case CREATED, QUEUED -> {
                    var r = tasks.updateOne(cas(d), Updates.combine(
                            Updates.set(TaskFields.STATUS, TaskStatus.ABORTED.wire()),
                            Updates.set(TaskFields.STATUS_REASON, reason),
                            Updates.set(TaskFields.FINISHED_AT, now),
                            Updates.set(TaskFields.UPDATED_AT, now)));
                    if (r.getModifiedCount() == 0) continue; // claimed or changed meanwhile: look again
                    if (from == TaskStatus.QUEUED) queue.forget(id);
                    events.finished(id, TaskStatus.ABORTED.wire());
                    events.changed(id);
                    return get(id);
                }
                case RUNNING -> {
                    long epoch = d.get(TaskFields.EPOCH, Number.class).longValue();
                    var r = tasks.updateOne(TaskFields.fence(id, epoch), Updates.combine(
                            Updates.set(TaskDoc.ABORT_REQUESTED, new Document("reason", reason).append("at", now)),
                            Updates.set(TaskFields.UPDATED_AT, now)));
                    if (r.getMatchedCount() == 0) continue;
                    Document lease = d.get(TaskFields.LEASE, Document.class);
                    String worker = lease != null ? lease.getString("worker") : null;
                    if (worker != null) control.push(worker, new ControlChannel.Abort(id, epoch, reason));
                    events.changed(id);
                    return get(id);
                }
                default -> throw DroverException.conflict(TaskStatus.illegalTransition(from, TaskStatus.ABORTED)
                        + "; the task has already finished");
            }
        }
        throw DroverException.conflict("task '" + id + "' kept changing while aborting it; try again");
    }

    public Document archive(String id, boolean archived) {
        var r = tasks.updateOne(TaskFields.byId(id), Updates.combine(Updates.set(TaskDoc.ARCHIVED, archived),
                Updates.set(TaskFields.UPDATED_AT, now())));
        if (r.getMatchedCount() == 0) throw DroverException.notFound("task", id);
        events.changed(id);
        return get(id);
    }

    /** Tells listeners (listing index, live streams) that the task document changed. */
    void changed(String id) {
        events.changed(id);
    }

    /**
     * Compare-and-set filter for a task as it was read: its {@code _id}, status and epoch. These are
     * exactly the keys of the queue's unique fence index, so the embedded store looks it up by
     * index (any other key set is a full scan, see {@link TaskFields}); the epoch only changes with
     * a claim, so a claim in between makes the update match nothing.
     */
    static Document cas(Document d) {
        return new Document(TaskFields.ID, d.get(TaskFields.ID)).append(TaskFields.STATUS, d.get(TaskFields.STATUS))
                .append(TaskFields.EPOCH, d.get(TaskFields.EPOCH));
    }

    static TaskStatus status(Document d) {
        return TaskStatus.parse(d.getString(TaskFields.STATUS));
    }

    private Date now() {
        return Date.from(clock.instant());
    }
}

package io.drover.controller.tasks;

import com.fasterxml.jackson.databind.JsonNode;
import com.mongodb.client.MongoCollection;
import com.mongodb.client.model.Filters;
import com.mongodb.client.model.UpdateOptions;
import com.mongodb.client.model.Updates;
import io.drover.controller.http.Http;
import io.drover.queue.TaskFields;
import io.drover.shared.domain.DroverException;
import io.drover.shared.domain.Ids;
import io.drover.shared.domain.TaskStatus;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Date;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import org.bson.Document;
import org.bson.conversions.Bson;

/**
 * Editable annotations of a task (issue 4): tags, description, user properties, comments.
 * Comments live in their own collection, one document per task ({@code {_id: taskId, items: [...]}}),
 * so reading them is an exact-key lookup and the task document only carries {@code commentCount}.
 * Every method blocks on the store: call it on the store pool.
 */
public final class TaskAnnotations {
    public static final String COMMENTS = "task_comments";
    public static final int MAX_TAGS = 100;
    public static final int MAX_DESCRIPTION_BYTES = 64 * 1024;
    public static final int MAX_PROPERTIES = 100;
    public static final int MAX_PROPERTY_KEY = 256;
    public static final int MAX_PROPERTY_VALUE_BYTES = 4 * 1024;
    public static final int MAX_COMMENT_BYTES = 16 * 1024;
    public static final int MAX_COMMENTS = 1000;

    /** Task document fields owned here. */
    public static final String DESCRIPTION = "description";
    public static final String PROPERTIES = "properties";
    public static final String COMMENT_COUNT = "commentCount";

    private final TaskService tasks;
    private final MongoCollection<Document> taskDocs;
    private final MongoCollection<Document> comments;
    private final Clock clock;

    public TaskAnnotations(TaskService tasks, MongoCollection<Document> taskDocs, MongoCollection<Document> comments, Clock clock) {
        this.tasks = tasks;
        this.taskDocs = taskDocs;
        this.comments = comments;
        this.clock = clock;
    }

    /** {@code PATCH /tasks/{id}}. */
    public Document patch(String id, JsonNode b) {
        Http.requireOnly(b, "tags", "addTags", "removeTags", "description", "properties", "params");
        List<String> set = Fields.present(b, "tags") ? tags(b, "tags") : null;
        List<String> add = tags(b, "addTags");
        List<String> remove = tags(b, "removeTags");
        String description = Fields.present(b, "description") ? description(b) : null;
        Map<String, String> properties = Fields.present(b, "properties") ? properties(b) : null;
        Map<String, String> params = Fields.present(b, "params") ? Fields.params(b, "params") : null;

        Document d = tasks.get(id);
        List<Bson> u = new ArrayList<>();
        if (set != null || !add.isEmpty() || !remove.isEmpty()) {
            LinkedHashSet<String> t = new LinkedHashSet<>(set != null ? set : stringList(d.get(TaskDoc.TAGS)));
            t.addAll(add);
            remove.forEach(t::remove);
            if (t.size() > MAX_TAGS) throw Fields.bad("the task would have " + t.size() + " tags; at most " + MAX_TAGS + " are allowed");
            u.add(Updates.set(TaskDoc.TAGS, new ArrayList<>(t)));
        }
        if (description != null) u.add(Updates.set(DESCRIPTION, description));
        if (properties != null) u.add(Updates.set(PROPERTIES, TaskJson.paramDocs(properties)));
        if (params != null) {
            TaskStatus st = TaskService.status(d);
            if (st != TaskStatus.CREATED) {
                throw DroverException.conflict("params can be edited only while the task is 'created'; task '" + id + "' is '"
                        + st.wire() + "' (clone it with new params instead)");
            }
            u.add(Updates.set(TaskDoc.PARAMS, TaskJson.paramDocs(params)));
        }
        if (u.isEmpty()) return d;
        u.add(Updates.set(TaskFields.UPDATED_AT, Date.from(clock.instant())));
        // params: compare-and-set on status so a concurrent enqueue/claim wins; the rest by id
        Bson filter = params != null ? TaskService.cas(d) : TaskFields.byId(id);
        var r = taskDocs.updateOne(filter, Updates.combine(u));
        if (r.getMatchedCount() == 0) {
            if (params != null) throw DroverException.conflict("task '" + id + "' changed status while editing its params; try again");
            throw DroverException.notFound("task", id);
        }
        tasks.changed(id);
        return tasks.get(id);
    }

    /** {@code POST /tasks/{id}/tags} from the agent holding the lease: adds tags, fenced by the epoch. */
    public Document addTagsLeased(String id, JsonNode b) {
        Http.requireOnly(b, "epoch", "add");
        long epoch = Fields.requiredEpoch(b);
        List<String> add = tags(b, "add");
        for (int attempt = 0; attempt < 10; attempt++) {
            Document d = tasks.get(id);
            List<String> current = stringList(d.get(TaskDoc.TAGS));
            LinkedHashSet<String> t = new LinkedHashSet<>(current);
            t.addAll(add);
            if (t.size() > MAX_TAGS) throw Fields.bad("the task would have " + t.size() + " tags; at most " + MAX_TAGS + " are allowed");
            // fence plus the tags as read: a concurrent user edit makes this match nothing, then read again
            Bson filter = Filters.and(TaskFields.fence(id, epoch), Filters.eq(TaskDoc.TAGS, current));
            var r = taskDocs.updateOne(filter, Updates.combine(Updates.set(TaskDoc.TAGS, new ArrayList<>(t)),
                    Updates.set(TaskFields.UPDATED_AT, Date.from(clock.instant()))));
            if (r.getMatchedCount() > 0) {
                tasks.changed(id);
                return tasks.get(id);
            }
            if (taskDocs.countDocuments(TaskFields.fence(id, epoch)) == 0) throw DroverException.staleLease(id, epoch);
        }
        throw DroverException.conflict("task '" + id + "' kept changing while adding tags; try again");
    }

    /** {@code POST /tasks/{id}/comments}: appends a comment by {@code author}; returns it. */
    public Document comment(String id, String author, JsonNode b) {
        Http.requireOnly(b, "text");
        String text = Fields.requiredString(b, "text", MAX_COMMENT_BYTES);
        if (text.getBytes(StandardCharsets.UTF_8).length > MAX_COMMENT_BYTES) {
            throw Fields.bad("'text' is larger than " + MAX_COMMENT_BYTES / 1024 + " KiB; shorten the comment");
        }
        Document d = tasks.get(id);
        int count = d.get(COMMENT_COUNT) instanceof Number n ? n.intValue() : 0;
        if (count >= MAX_COMMENTS) throw DroverException.conflict("task '" + id + "' already has " + MAX_COMMENTS + " comments, the most it can have");
        Document c = new Document("id", Ids.newId()).append("author", author).append("at", Date.from(clock.instant())).append("text", text);
        comments.updateOne(Filters.eq("_id", id), Updates.push("items", c), new UpdateOptions().upsert(true));
        taskDocs.updateOne(TaskFields.byId(id), Updates.inc(COMMENT_COUNT, 1));
        tasks.changed(id);
        return c;
    }

    /** The task's comments, oldest first. */
    public List<Document> comments(String id) {
        tasks.get(id); // 404 for an unknown task
        Document c = comments.find(Filters.eq("_id", id)).first();
        List<Document> out = new ArrayList<>();
        if (c != null && c.get("items") instanceof List<?> l) {
            for (Object o : l) if (o instanceof Document cd) out.add(cd);
        }
        return out;
    }

    /** Properties as an ordered map (stored as {k, v} pairs: keys may contain '.' or '$'). */
    public static Map<String, String> properties(Document d) {
        Map<String, String> m = new LinkedHashMap<>();
        if (d.get(PROPERTIES) instanceof List<?> l) {
            for (Object p : l) if (p instanceof Document pd) m.put(pd.getString(TaskDoc.K), pd.getString(TaskDoc.V));
        }
        return m;
    }

    private static List<String> tags(JsonNode b, String f) {
        if (Fields.present(b, f) && b.get(f).isArray() && b.get(f).size() > MAX_TAGS) {
            throw Fields.bad("'" + f + "' has " + b.get(f).size() + " entries; at most " + MAX_TAGS + " are allowed");
        }
        return Fields.tags(b, f, MAX_TAGS);
    }

    private static String description(JsonNode b) {
        String s = Fields.string(b, "description", "", MAX_DESCRIPTION_BYTES);
        if (s.getBytes(StandardCharsets.UTF_8).length > MAX_DESCRIPTION_BYTES) {
            throw Fields.bad("'description' is larger than " + MAX_DESCRIPTION_BYTES / 1024 + " KiB; put long notes in an artifact");
        }
        return s;
    }

    private static Map<String, String> properties(JsonNode b) {
        JsonNode p = b.get("properties");
        if (!p.isObject()) throw Fields.bad("'properties' must be an object of strings, e.g. {\"dataset\": \"v2\"}");
        if (p.size() > MAX_PROPERTIES) throw Fields.bad("'properties' has " + p.size() + " entries; at most " + MAX_PROPERTIES + " are allowed");
        Map<String, String> m = new LinkedHashMap<>();
        p.fields().forEachRemaining(e -> {
            String k = e.getKey();
            if (k.isEmpty() || k.length() > MAX_PROPERTY_KEY) {
                throw Fields.bad("property name '" + (k.length() > 40 ? k.substring(0, 40) + "…" : k) + "' must be 1-" + MAX_PROPERTY_KEY + " characters long");
            }
            JsonNode v = e.getValue();
            if (!v.isTextual()) throw Fields.bad("property '" + k + "' must be a string, got " + v.getNodeType().name().toLowerCase());
            if (v.asText().getBytes(StandardCharsets.UTF_8).length > MAX_PROPERTY_VALUE_BYTES) {
                throw Fields.bad("property '" + k + "' is larger than " + MAX_PROPERTY_VALUE_BYTES / 1024 + " KiB");
            }
            m.put(k, v.asText());
        });
        return m;
    }

    private static List<String> stringList(Object o) {
        List<String> out = new ArrayList<>();
        if (o instanceof List<?> l) for (Object t : l) out.add(String.valueOf(t));
        return out;
    }
}

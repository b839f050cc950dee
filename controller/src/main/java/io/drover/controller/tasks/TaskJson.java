package io.drover.controller.tasks;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.drover.queue.TaskFields;
import io.drover.shared.json.Json;
import java.util.Date;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.bson.Document;
import org.bson.json.JsonMode;
import org.bson.json.JsonWriterSettings;

/**
 * The one mapping from a task document to the task JSON of docs/API.md. Exactly the documented
 * fields; the lease token (and its hash) never leave the controller.
 */
public final class TaskJson {
    private static final JsonWriterSettings RELAXED = JsonWriterSettings.builder().outputMode(JsonMode.RELAXED).build();

    private TaskJson() {}

    /** The task as {@code GET /tasks/{id}} returns it. */
    public static ObjectNode of(Document d) {
        ObjectNode o = Json.object();
        o.put("id", d.getString(TaskFields.ID));
        o.put("name", d.getString(TaskDoc.NAME));
        o.put("project", d.getString(TaskDoc.PROJECT));
        o.put("status", d.getString(TaskFields.STATUS));
        o.put("statusReason", d.getString(TaskFields.STATUS_REASON));
        o.put("queue", d.getString(TaskFields.QUEUE));
        o.put("priority", intOr(d.get(TaskFields.PRIORITY), 0));
        o.put("retries", intOr(d.get(TaskFields.RETRIES), 1));
        ArrayNode tags = o.putArray("tags");
        for (Object t : list(d.get(TaskDoc.TAGS))) tags.add(String.valueOf(t));
        ObjectNode params = o.putObject("params");
        params(d).forEach(params::put);

        Document s = sub(d, TaskDoc.SCRIPT);
        ObjectNode script = o.putObject("script");
        script.put("repo", s.getString("repo"));
        script.put("branch", s.getString("branch"));
        script.put("commit", s.getString("commit"));
        script.put("entryPoint", s.getString("entryPoint"));
        script.put("args", s.getString("args"));
        script.put("workingDir", s.getString("workingDir"));
        script.put("requirements", s.getString("requirements"));
        script.put("hasDiff", Boolean.TRUE.equals(s.getBoolean("hasDiff")));

        Document e = sub(d, TaskFields.EXECUTION);
        ObjectNode ex = o.putObject("execution");
        ex.put("worker", e.getString("worker"));
        ex.put("attempt", intOr(e.get("attempt"), 0));
        putNumber(ex, "exitCode", e.get("exitCode"));
        ex.put("queuedAt", iso(d.get(TaskFields.QUEUED_AT)));
        ex.put("startedAt", iso(e.get("startedAt")));
        ex.put("finishedAt", iso(e.get("finishedAt")));
        ex.put("resolvedCommit", e.getString("resolvedCommit"));
        putNumber(ex, "maxRssKb", e.get("maxRssKb"));
        putNumber(ex, "cpuSeconds", e.get("cpuSeconds"));
        ArrayNode gpus = ex.putArray("gpus"); // the GPU indexes the agent ran it on (issue 5)
        for (Object g : list(e.get("gpus"))) if (g instanceof Number n) gpus.add(n.intValue());
        TaskRuntime.of(d).writeTo(o);

        o.set("captured", document(d.get(TaskDoc.CAPTURED)));
        ArrayNode artifacts = o.putArray("artifacts");
        for (Object a : list(d.get(TaskDoc.ARTIFACTS))) {
            if (a instanceof Document ad) {
                ObjectNode an = artifacts.addObject();
                an.put("name", ad.getString("name"));
                putNumber(an, "size", ad.get("size"));
                an.put("sha256", ad.getString("sha256"));
                an.put("contentType", ad.getString("contentType"));
            }
        }
        // last/min/max per scalar series, kept on the task by the scalars store (issue 4)
        ObjectNode metrics = o.putObject("metrics");
        for (io.drover.controller.scalars.SeriesSummary m : io.drover.controller.scalars.ScalarStore.summaries(d)) {
            metrics.putObject(m.variant().isEmpty() ? m.metric() : m.metric() + "/" + m.variant())
                    .put("last", m.last()).put("min", m.min()).put("max", m.max()).put("iter", m.iter());
        }
        // editable annotations (issue 4); comments themselves are at GET /tasks/{id}/comments
        o.put("description", d.getString(TaskAnnotations.DESCRIPTION) == null ? "" : d.getString(TaskAnnotations.DESCRIPTION));
        ObjectNode props = o.putObject("properties");
        TaskAnnotations.properties(d).forEach(props::put);
        o.put("commentCount", intOr(d.get(TaskAnnotations.COMMENT_COUNT), 0));
        o.put("parentId", d.getString(TaskDoc.PARENT_ID));
        o.put("user", d.getString(TaskDoc.USER));
        o.put("createdAt", iso(d.get(TaskDoc.CREATED_AT)));
        o.put("updatedAt", iso(d.get(TaskFields.UPDATED_AT)));
        o.put("archived", Boolean.TRUE.equals(d.getBoolean(TaskDoc.ARCHIVED)));
        Document lease = d.get(TaskFields.LEASE) instanceof Document l ? l : null;
        if (lease != null && "running".equals(d.getString(TaskFields.STATUS))) {
            ObjectNode ln = o.putObject("lease");
            ln.put("epoch", longOr(d.get(TaskFields.EPOCH), 0));
            ln.put("expiresAt", iso(lease.get("expiresAt")));
        } else {
            o.putNull("lease");
        }
        return o;
    }

    /** The task with {@code script.diff} added (the claim response: the agent needs the diff). */
    public static ObjectNode withDiff(Document d, String diff) {
        ObjectNode o = of(d);
        ((ObjectNode) o.get("script")).put("diff", diff);
        return o;
    }

    /** The task's params as an ordered map. */
    public static Map<String, String> params(Document d) {
        Map<String, String> m = new LinkedHashMap<>();
        for (Object p : list(d.get(TaskDoc.PARAMS))) {
            if (p instanceof Document pd) m.put(pd.getString(TaskDoc.K), pd.getString(TaskDoc.V));
        }
        return m;
    }

    /** Params map → the stored list of pairs. */
    public static List<Document> paramDocs(Map<String, String> params) {
        return params.entrySet().stream()
                .map(e -> new Document(TaskDoc.K, e.getKey()).append(TaskDoc.V, e.getValue()))
                .toList();
    }

    public static String iso(Object date) {
        return date instanceof Date dt ? dt.toInstant().toString() : null;
    }

    private static JsonNode document(Object o) {
        if (o instanceof Document doc) return Json.parse(doc.toJson(RELAXED));
        return Json.object();
    }

    private static Document sub(Document d, String key) {
        return d.get(key) instanceof Document s ? s : new Document();
    }

    private static List<?> list(Object o) {
        return o instanceof List<?> l ? l : List.of();
    }

    private static int intOr(Object o, int def) {
        return o instanceof Number n ? n.intValue() : def;
    }

    private static long longOr(Object o, long def) {
        return o instanceof Number n ? n.longValue() : def;
    }

    private static void putNumber(ObjectNode o, String key, Object v) {
        if (v instanceof Integer i) o.put(key, i);
        else if (v instanceof Long l) o.put(key, l);
        else if (v instanceof Number n) o.put(key, n.doubleValue());
        else o.putNull(key);
    }
}

package io.drover.controller.tasks;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.drover.controller.http.Http;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;
import org.bson.Document;

/**
 * Where and how a task runs (issue 5): the GPUs it needs ({@code resources.gpus}), the Python
 * environment manager and version ({@code environment}), and an optional Docker image
 * ({@code container}). Parsed from {@code POST /tasks} and clone bodies, stored on the task
 * document under the same names, and written back into the task JSON.
 *
 * <p>{@code resources.gpus} is also read by the queue (claim filtering), so its stored path is
 * {@link io.drover.queue.TaskFields#GPUS}.
 */
public record TaskRuntime(int gpus, String manager, String python, Container container) {
    public static final String RESOURCES = "resources";
    public static final String ENVIRONMENT = "environment";
    public static final String CONTAINER = "container";
    /** {@code execution.gpus}: the GPU indexes the agent ran the task on. */
    public static final String EXECUTION_GPUS = "execution.gpus";

    public static final int MAX_GPUS = 64;
    public static final Set<String> MANAGERS = Set.of("auto", "pip", "uv", "poetry", "conda", "system");
    public static final Set<String> PULL_POLICIES = Set.of("missing", "always", "never");
    public static final int MAX_CONTAINER_ARGS = 64;
    private static final Pattern PYTHON = Pattern.compile("[0-9]{1,2}(\\.[0-9]{1,3}){0,2}");
    /** A Docker image reference: registry/name:tag or @sha256:…, no whitespace or shell characters. */
    private static final Pattern IMAGE = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._/:@-]{0,511}");

    public static final TaskRuntime DEFAULT = new TaskRuntime(0, "auto", null, null);

    /** A Docker image to run the task in, extra {@code docker run} arguments, and when to pull it. */
    public record Container(String image, List<String> args, String pullPolicy) {
        public Container {
            args = List.copyOf(args);
        }
    }

    /** The fields of a new task body ({@code resources}, {@code environment}, {@code container}); defaults when absent. */
    public static TaskRuntime parse(JsonNode body) {
        return parse(body, DEFAULT);
    }

    /**
     * Same over {@code base} (a clone's source): a field absent from the body keeps the base's
     * value; {@code "container": null} removes the base's container.
     */
    public static TaskRuntime parse(JsonNode body, TaskRuntime base) {
        int gpus = base.gpus;
        if (body.has(RESOURCES) && !body.get(RESOURCES).isNull()) {
            JsonNode r = object(body, RESOURCES, "{\"gpus\": 1}");
            Http.requireOnlyIn(RESOURCES, r, "gpus");
            if (Fields.present(r, "gpus")) {
                JsonNode g = r.get("gpus");
                if (!g.isIntegralNumber() || !g.canConvertToInt() || g.intValue() < 0 || g.intValue() > MAX_GPUS) {
                    throw Fields.bad("'resources.gpus' must be a whole number of GPUs between 0 and " + MAX_GPUS + ", got " + g);
                }
                gpus = g.intValue();
            }
        }
        String manager = base.manager;
        String python = base.python;
        if (body.has(ENVIRONMENT) && !body.get(ENVIRONMENT).isNull()) {
            JsonNode e = object(body, ENVIRONMENT, "{\"manager\": \"uv\", \"python\": \"3.11\"}");
            Http.requireOnlyIn(ENVIRONMENT, e, "manager", "python");
            manager = Fields.string(e, "manager", manager, 16);
            if (!MANAGERS.contains(manager)) {
                throw Fields.bad("'environment.manager' must be one of auto, pip, uv, poetry, conda, system; got '" + manager + "'");
            }
            if (e.has("python")) {
                python = Fields.string(e, "python", null, 16);
                if (python != null && !PYTHON.matcher(python).matches()) {
                    throw Fields.bad("'environment.python' must be a Python version like 3.11 or 3.11.9, got '" + python + "'");
                }
            }
        }
        Container container = base.container;
        if (body.has(CONTAINER)) container = body.get(CONTAINER).isNull() ? null : container(body);
        return new TaskRuntime(gpus, manager, python, container);
    }

    private static Container container(JsonNode body) {
        JsonNode c = object(body, CONTAINER, "{\"image\": \"python:3.11\"}");
        Http.requireOnlyIn(CONTAINER, c, "image", "args", "pullPolicy");
        String image = Fields.string(c, "image", null, 512);
        if (image == null || image.isBlank()) throw Fields.bad("'container.image' is required: the Docker image to run the task in, e.g. python:3.11");
        if (!IMAGE.matcher(image).matches()) {
            throw Fields.bad("'container.image' '" + image + "' is not an image reference: use name[:tag] or name@sha256:…, without spaces");
        }
        List<String> args = new ArrayList<>();
        if (Fields.present(c, "args")) {
            JsonNode a = c.get("args");
            if (!a.isArray()) throw Fields.bad("'container.args' must be an array of strings, e.g. [\"--shm-size=1g\"]");
            if (a.size() > MAX_CONTAINER_ARGS) throw Fields.bad("'container.args' has " + a.size() + " entries; at most " + MAX_CONTAINER_ARGS + " are allowed");
            for (JsonNode n : a) {
                if (!n.isTextual() || n.asText().isEmpty() || n.asText().length() > 1024) {
                    throw Fields.bad("'container.args' entry " + abbreviate(n.toString()) + " must be a non-empty string of at most 1024 characters");
                }
                args.add(n.asText());
            }
        }
        String pull = Fields.string(c, "pullPolicy", "missing", 16);
        if (!PULL_POLICIES.contains(pull)) throw Fields.bad("'container.pullPolicy' must be missing, always or never; got '" + pull + "'");
        return new Container(image, args, pull);
    }

    private static JsonNode object(JsonNode body, String f, String example) {
        JsonNode v = body.get(f);
        if (!v.isObject()) throw Fields.bad("'" + f + "' must be an object, e.g. " + example);
        return v;
    }

    private static String abbreviate(String s) {
        return s.length() > 40 ? s.substring(0, 40) + "…" : s;
    }

    // ---- stored form

    /** Adds this runtime's fields to a new task document. */
    public Document appendTo(Document doc) {
        doc.append(RESOURCES, new Document("gpus", gpus));
        doc.append(ENVIRONMENT, new Document("manager", manager).append("python", python));
        doc.append(CONTAINER, container == null ? null
                : new Document("image", container.image).append("args", container.args).append("pullPolicy", container.pullPolicy));
        return doc;
    }

    /** The runtime of a stored task; defaults for documents written before issue 5. */
    public static TaskRuntime of(Document d) {
        Document r = d.get(RESOURCES) instanceof Document x ? x : new Document();
        Document e = d.get(ENVIRONMENT) instanceof Document x ? x : new Document();
        Container container = null;
        if (d.get(CONTAINER) instanceof Document c && c.getString("image") != null) {
            List<String> args = new ArrayList<>();
            if (c.get("args") instanceof List<?> l) l.forEach(a -> args.add(String.valueOf(a)));
            container = new Container(c.getString("image"), args, c.getString("pullPolicy") == null ? "missing" : c.getString("pullPolicy"));
        }
        return new TaskRuntime(r.get("gpus") instanceof Number n ? n.intValue() : 0,
                e.getString("manager") == null ? "auto" : e.getString("manager"), e.getString("python"), container);
    }

    /** Writes {@code resources}, {@code environment} and {@code container} into task JSON. */
    public void writeTo(ObjectNode o) {
        o.putObject(RESOURCES).put("gpus", gpus);
        o.putObject(ENVIRONMENT).put("manager", manager).put("python", python);
        if (container == null) {
            o.putNull(CONTAINER);
        } else {
            ObjectNode c = o.putObject(CONTAINER);
            c.put("image", container.image);
            container.args.forEach(c.putArray("args")::add);
            c.put("pullPolicy", container.pullPolicy);
        }
    }
}

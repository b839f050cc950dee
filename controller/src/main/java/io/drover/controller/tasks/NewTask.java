package io.drover.controller.tasks;

import com.fasterxml.jackson.databind.JsonNode;
import io.drover.controller.http.Http;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/** A validated {@code POST /tasks} body. */
public record NewTask(String name, String project, String queue, int priority, int retries, List<String> tags,
                      Map<String, String> params, Script script, String diff, boolean enqueue,
                      TaskRuntime runtime) {

    public static final String DEFAULT_PROJECT = "default";
    public static final String DEFAULT_QUEUE = "default";
    public static final int DEFAULT_RETRIES = 1;
    public static final int MAX_RETRIES = 100;
    public static final int MAX_NAME = 256;
    /** An uncommitted diff larger than this is refused: commit the work instead. */
    public static final int MAX_DIFF_BYTES = 10 * 1024 * 1024;
    private static final Pattern COMMIT = Pattern.compile("[0-9a-f]{40}|[0-9a-f]{64}");

    public record Script(String repo, String branch, String commit, String entryPoint, String args,
                         String workingDir, String requirements) {}

    public static NewTask parse(JsonNode b) {
        Http.requireOnly(b, "name", "project", "queue", "priority", "retries", "tags", "params", "script", "enqueue",
                TaskRuntime.RESOURCES, TaskRuntime.ENVIRONMENT, TaskRuntime.CONTAINER);
        if (!Fields.present(b, "script") || !b.get("script").isObject()) {
            throw Fields.bad("'script' is required: {\"repo\", \"entryPoint\", …} says what to run");
        }
        JsonNode s = b.get("script");
        Http.requireOnlyIn("script", s, "repo", "branch", "commit", "entryPoint", "args", "workingDir", "requirements", "diff");
        String repo = Fields.requiredString(s, "repo", 4096);
        String commit = Fields.string(s, "commit", null, 64);
        if (commit != null && !COMMIT.matcher(commit).matches()) {
            throw Fields.bad("'script.commit' must be a full commit hash (40 lower-case hex characters), got '" + commit + "'");
        }
        String entry = Fields.relativePath(s, "entryPoint", null);
        if (entry == null) throw Fields.bad("'script.entryPoint' is required: the script to run, relative to the repository");
        Script script = new Script(repo, Fields.string(s, "branch", null, 256), commit, entry,
                Fields.string(s, "args", "", 64 * 1024), Fields.relativePath(s, "workingDir", "."),
                Fields.relativePath(s, "requirements", null));
        String diff = Fields.string(s, "diff", null, Integer.MAX_VALUE);
        if (diff != null && diff.isEmpty()) diff = null;
        if (diff != null && diff.getBytes(StandardCharsets.UTF_8).length > MAX_DIFF_BYTES) {
            throw Fields.tooLarge("'script.diff' is larger than 10 MiB; commit your changes (or add large files to .gitignore) and submit again");
        }
        String name = Fields.string(b, "name", null, MAX_NAME);
        if (name == null || name.isBlank()) name = defaultName(entry);
        if (name.chars().anyMatch(Character::isISOControl)) throw Fields.bad("'name' must not contain control characters");
        return new NewTask(name.strip(), Fields.name(b, "project", DEFAULT_PROJECT), Fields.name(b, "queue", DEFAULT_QUEUE),
                Fields.integer(b, "priority", 0, Fields.MIN_PRIORITY, Fields.MAX_PRIORITY),
                Fields.integer(b, "retries", DEFAULT_RETRIES, 0, MAX_RETRIES),
                Fields.tags(b, "tags"), Fields.params(b, "params"), script, diff, Fields.bool(b, "enqueue", false),
                TaskRuntime.parse(b));
    }

    /** {@code src/train.py} → {@code train}. */
    static String defaultName(String entryPoint) {
        String base = entryPoint.substring(entryPoint.lastIndexOf('/') + 1);
        int dot = base.lastIndexOf('.');
        return dot > 0 ? base.substring(0, dot) : base;
    }
}

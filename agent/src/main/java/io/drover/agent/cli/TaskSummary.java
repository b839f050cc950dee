package io.drover.agent.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.drover.agent.cli.format.Times;
import java.io.PrintWriter;
import java.util.Iterator;
import java.util.Map;

/** The human view of a task that {@code drover show} prints. */
final class TaskSummary {
    private final JsonNode t;

    TaskSummary(JsonNode task) {
        this.t = task;
    }

    void print(PrintWriter out) {
        JsonNode s = t.path("script");
        JsonNode x = t.path("execution");
        JsonNode c = t.path("captured");
        field(out, "task", t.path("id").asText() + "  " + t.path("name").asText());
        field(out, "project", text(t, "project"));
        field(out, "status", text(t, "status") + (x.path("exitCode").isNumber() ? " (exit code " + x.path("exitCode").asInt() + ")" : ""));
        field(out, "reason", text(t, "statusReason"));
        java.util.List<String> tags = new java.util.ArrayList<>();
        t.path("tags").forEach(tg -> tags.add(tg.asText()));
        field(out, "tags", String.join(", ", tags));
        field(out, "description", text(t, "description"));
        int comments = t.path("commentCount").asInt(0);
        field(out, "comments", comments == 0 ? "" : comments + " (drover comment " + t.path("id").asText() + " lists them)");
        field(out, "queue", text(t, "queue") + "  priority " + t.path("priority").asInt() + "  retries " + t.path("retries").asText("-"));
        field(out, "worker", text(x, "worker") + (x.path("attempt").asInt() > 0 ? "  attempt " + x.path("attempt").asInt() : ""));
        field(out, "parent", text(t, "parentId"));
        out.println("git");
        field(out, "  repo", text(s, "repo"));
        field(out, "  branch", text(s, "branch"));
        field(out, "  commit", text(s, "commit") + (s.path("hasDiff").asBoolean() ? "  + uncommitted changes" : ""));
        field(out, "  resolved", text(x, "resolvedCommit"));
        field(out, "  run", "python " + text(s, "entryPoint") + (text(s, "args").isEmpty() ? "" : " " + text(s, "args")));
        field(out, "  requirements", text(s, "requirements"));
        runsOn(out, x);
        JsonNode params = t.path("params");
        if (params.isObject() && params.size() > 0) {
            out.println("params");
            for (Iterator<Map.Entry<String, JsonNode>> it = params.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                field(out, "  " + e.getKey(), e.getValue().asText());
            }
        }
        JsonNode props = t.path("properties");
        if (props.isObject() && props.size() > 0) {
            out.println("properties");
            for (Iterator<Map.Entry<String, JsonNode>> it = props.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                field(out, "  " + e.getKey(), e.getValue().asText());
            }
        }
        out.println("timings");
        field(out, "  created", Times.local(t.path("createdAt")));
        field(out, "  queued", Times.local(x.path("queuedAt")));
        field(out, "  started", Times.local(x.path("startedAt")) + wait(x));
        field(out, "  finished", Times.local(x.path("finishedAt")) + ran(x));
        field(out, "  resources", resources(x));
        if (c.isObject() && c.size() > 0) {
            out.println("captured");
            field(out, "  python", text(c, "python"));
            field(out, "  hostname", text(c, "hostname"));
            int n = c.path("installedPackages").size();
            field(out, "  packages", n == 0 ? "" : n + " (drover show --json lists them)");
        }
        JsonNode arts = t.path("artifacts");
        if (arts.isArray() && arts.size() > 0) {
            out.println("artifacts");
            for (JsonNode a : arts) {
                field(out, "  " + a.path("name").asText(), a.path("size").asLong() + " bytes  sha256 "
                        + abbreviate(a.path("sha256").asText()));
            }
        }
    }

    /** GPUs, Python environment and Docker image the task asked for (issue 5), and the GPUs it ran on. */
    private void runsOn(PrintWriter out, JsonNode x) {
        int gpus = t.path("resources").path("gpus").asInt(0);
        java.util.List<String> on = new java.util.ArrayList<>();
        x.path("gpus").forEach(g -> on.add(g.asText()));
        field(out, "  gpus", gpus == 0 && on.isEmpty() ? "" : gpus + (on.isEmpty() ? "" : " (ran on GPU " + String.join(", ", on) + ")"));
        JsonNode env = t.path("environment");
        String manager = text(env, "manager");
        String python = text(env, "python");
        field(out, "  environment", ("auto".equals(manager) || manager.isEmpty()) && python.isEmpty() ? ""
                : (manager.isEmpty() ? "auto" : manager) + (python.isEmpty() ? "" : ", python " + python));
        JsonNode c = t.path("container");
        if (c.isObject()) {
            java.util.List<String> args = new java.util.ArrayList<>();
            c.path("args").forEach(a -> args.add(a.asText()));
            field(out, "  docker", text(c, "image") + (args.isEmpty() ? "" : "  args " + String.join(" ", args))
                    + "  pull " + (text(c, "pullPolicy").isEmpty() ? "missing" : text(c, "pullPolicy")));
        }
    }

    private static String wait(JsonNode x) {
        String d = Times.duration(Times.parse(x.path("queuedAt")), Times.parse(x.path("startedAt")));
        return d.isEmpty() ? "" : "  (after " + d + " in the queue)";
    }

    private static String ran(JsonNode x) {
        String d = Times.duration(Times.parse(x.path("startedAt")), Times.parse(x.path("finishedAt")));
        return d.isEmpty() ? "" : "  (ran " + d + ")";
    }

    private static String resources(JsonNode x) {
        StringBuilder b = new StringBuilder();
        if (x.path("maxRssKb").isNumber()) b.append("max RSS ").append(x.path("maxRssKb").asLong() / 1024).append(" MiB");
        if (x.path("cpuSeconds").isNumber()) {
            if (b.length() > 0) b.append(", ");
            b.append(String.format(java.util.Locale.ROOT, "CPU %.1f s", x.path("cpuSeconds").asDouble()));
        }
        return b.toString();
    }

    private static String abbreviate(String sha) {
        return sha.length() > 16 ? sha.substring(0, 16) + "..." : sha;
    }

    private static String text(JsonNode n, String field) {
        JsonNode v = n.path(field);
        return v.isNull() || v.isMissingNode() ? "" : v.asText();
    }

    private static void field(PrintWriter out, String label, String value) {
        if (value == null || value.isBlank()) return;
        out.printf("%-16s %s%n", label, value.replace("\n", "\n" + " ".repeat(17)));
    }
}

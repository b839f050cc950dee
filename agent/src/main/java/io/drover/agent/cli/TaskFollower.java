package io.drover.agent.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.drover.shared.client.ApiClient;
import io.drover.shared.domain.DroverException;
import io.drover.shared.domain.ErrorCode;
import io.drover.shared.domain.TaskStatus;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Prints a task's log lines (stdout lines to stdout, stderr lines to stderr) through the
 * long-polling {@code GET /tasks/{id}/logs?after=&wait=}, and maps its end to an exit code.
 */
final class TaskFollower {
    /** Seconds the server may hold one poll (API maximum 30). */
    static final int WAIT_SECONDS = 20;
    static final int PAGE = 1000;
    /** How long following rides out an unreachable controller (a restart) before giving up. */
    static final Duration OUTAGE = Duration.ofMinutes(2);
    private static final Duration RETRY_PAUSE = Duration.ofSeconds(1);

    private final ApiClient client;
    private final PrintWriter out;
    private final PrintWriter err;
    private final Duration outage;

    TaskFollower(ApiClient client, PrintWriter out, PrintWriter err) {
        this(client, out, err, OUTAGE);
    }

    TaskFollower(ApiClient client, PrintWriter out, PrintWriter err, Duration outage) {
        this.client = client;
        this.out = out;
        this.err = err;
        this.outage = outage;
    }

    /** Prints every line there is now; returns the last seq printed. */
    long printAll(String id) {
        long after = 0;
        while (true) {
            JsonNode page = fetch(id, after, 0);
            long last = print(page, after);
            if (last == after) return after;
            after = last;
        }
    }

    /** Prints lines as they arrive until the task is final; returns the last seq printed. */
    long follow(String id) {
        long after = 0;
        while (true) {
            JsonNode page = fetch(id, after, WAIT_SECONDS);
            long last = print(page, after);
            // A final task can still have lines beyond this page: stop only on an empty one.
            if (last == after && isFinal(id, page.path("status").asText())) return after;
            after = last;
        }
    }

    /**
     * Follows the task to its end and returns the exit code {@code drover submit --wait} exits
     * with: the task's own exit code; 1 for a failure without one; {@value ExitCodes#ABORTED} when aborted.
     */
    int followToEnd(String id, boolean announceInterrupt) {
        Thread hint = new Thread(() -> {
            err.println();
            err.println("drover: stopped following; task " + id + " keeps running (stop it with: drover abort " + id + ")");
            err.flush();
        });
        if (announceInterrupt) Runtime.getRuntime().addShutdownHook(hint);
        try {
            follow(id);
        } finally {
            if (announceInterrupt) {
                try {
                    Runtime.getRuntime().removeShutdownHook(hint);
                } catch (IllegalStateException shuttingDown) {
                    // the hook runs: that is the point
                }
            }
        }
        JsonNode task = client.get(ClientCommand.V1 + "/tasks/" + id);
        return finalReport(task);
    }

    int finalReport(JsonNode task) {
        String status = task.path("status").asText();
        JsonNode code = task.path("execution").path("exitCode");
        String reason = task.path("statusReason").asText("");
        StringBuilder line = new StringBuilder("task " + task.path("id").asText() + " " + status);
        if (code.isNumber()) line.append(" (exit code ").append(code.asInt()).append(')');
        if (!reason.isBlank() && !"completed".equals(status)) line.append(": ").append(firstLine(reason));
        err.println(line);
        err.flush();
        return exitCode(status, code.isNumber() ? code.asInt() : null);
    }

    static int exitCode(String status, Integer taskExit) {
        return switch (status) {
            case "completed" -> taskExit == null ? ExitCodes.OK : clamp(taskExit);
            case "aborted" -> ExitCodes.ABORTED;
            default -> taskExit == null || taskExit == 0 ? ExitCodes.ERROR : clamp(taskExit);
        };
    }

    /** Exit codes are a byte; a signal death reported as negative becomes 128+n like a shell's. */
    private static int clamp(int code) {
        if (code < 0) return Math.min(255, 128 - code);
        return code > 255 ? ExitCodes.ERROR : code;
    }

    private JsonNode fetch(String id, long after, int waitSeconds) {
        Map<String, Object> q = new LinkedHashMap<>();
        q.put("after", after);
        q.put("limit", PAGE);
        if (waitSeconds > 0) q.put("wait", waitSeconds);
        String path = ClientCommand.V1 + "/tasks/" + id + "/logs" + ApiClient.query(q);
        long giveUp = System.nanoTime() + outage.toNanos();
        boolean told = false;
        while (true) {
            try {
                JsonNode page = client.getLong(path, Duration.ofSeconds(waitSeconds + 15))
                        .orElseGet(io.drover.shared.json.Json::object);
                if (told) err.println("drover: the controller is back");
                return page;
            } catch (DroverException e) {
                // A controller restart must not end a long --wait/--follow: the task runs on.
                if (e.code() != ErrorCode.UNAVAILABLE || waitSeconds == 0 || System.nanoTime() > giveUp) throw e;
                if (!told) {
                    err.println("drover: " + e.getMessage() + "; retrying for up to " + outage.toSeconds() + " s");
                    err.flush();
                    told = true;
                }
                sleep(RETRY_PAUSE);
            }
        }
    }

    private static void sleep(Duration d) {
        try {
            Thread.sleep(d.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new DroverException(ErrorCode.UNAVAILABLE, "interrupted");
        }
    }

    /** Prints the page's lines newer than {@code after}; returns the highest seq seen. */
    private long print(JsonNode page, long after) {
        long last = after;
        boolean wroteOut = false;
        boolean wroteErr = false;
        for (JsonNode l : page.path("lines")) {
            long seq = l.path("seq").asLong();
            // Keyed on seq, not on "next", so a retried or overlapping page never prints twice.
            if (seq <= last) continue;
            last = seq;
            if ("stderr".equals(l.path("stream").asText())) {
                err.println(l.path("text").asText());
                wroteErr = true;
            } else {
                out.println(l.path("text").asText());
                wroteOut = true;
            }
        }
        if (wroteOut) out.flush();
        if (wroteErr) err.flush();
        return last;
    }

    private boolean isFinal(String id, String status) {
        if (status.isBlank()) status = client.get(ClientCommand.V1 + "/tasks/" + id).path("status").asText();
        try {
            return TaskStatus.parse(status).isFinal();
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    private static String firstLine(String s) {
        String t = s.strip();
        int nl = t.indexOf('\n');
        return nl < 0 ? t : t.substring(0, nl) + " ...";
    }
}

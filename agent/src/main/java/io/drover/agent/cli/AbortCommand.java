package io.drover.agent.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.drover.shared.json.Json;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code drover abort}: stop a queued or running task. */
@Command(name = "abort", mixinStandardHelpOptions = true, description = "Abort a task: a queued one at once, a running one within seconds (its agent kills it).")
final class AbortCommand extends ClientCommand {
    @Parameters(index = "0", paramLabel = "TASK", description = "Task id (or a unique prefix).")
    String task;

    @Option(names = "--reason", paramLabel = "TEXT", description = "Why (shown as the task's status reason).")
    String reason;

    @Override
    public Integer call() {
        String id = taskId(task);
        var body = Json.object();
        body.put("reason", reason != null ? reason : "aborted by user");
        JsonNode t = client().post(V1 + "/tasks/" + id + "/abort", body).orElseThrow();
        String status = t.path("status").asText();
        if ("aborted".equals(status)) {
            out().println("Aborted task " + id + ".");
        } else {
            out().println("Abort requested for task " + id + " (" + status + "); its agent stops it within seconds"
                    + " (check with: drover show " + id + ").");
        }
        return ExitCodes.OK;
    }
}

package io.drover.agent.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.drover.shared.json.Json;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code drover show}: one task, for people or (with --json) as the API returns it. */
@Command(name = "show", mixinStandardHelpOptions = true, description = "Show a task: status, reason, tags, description, queue, worker, git, params, properties, timings, artifacts.")
final class ShowCommand extends ClientCommand {
    @Parameters(index = "0", paramLabel = "TASK", description = "Task id (or a unique prefix).")
    String task;

    @Option(names = "--json", description = "Print the task JSON exactly as GET /api/v1/tasks/{id} returns it.")
    boolean json;

    @Override
    public Integer call() {
        JsonNode t = client().get(V1 + "/tasks/" + taskId(task));
        if (json) {
            out().println(Json.pretty(t));
        } else {
            new TaskSummary(t).print(out());
        }
        out().flush();
        return ExitCodes.OK;
    }
}

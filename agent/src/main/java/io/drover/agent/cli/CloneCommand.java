package io.drover.agent.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.drover.shared.domain.Ids;
import io.drover.shared.json.Json;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code drover clone}: the same code again, with some parameters changed, enqueued. */
@Command(name = "clone", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Re-run a task with changed parameters (same code, same commit, same diff).",
                "Prints the new task id as the last line."})
final class CloneCommand extends ClientCommand {
    @Parameters(index = "0", paramLabel = "TASK", description = "Task id (or a unique prefix).")
    String task;

    @Option(names = "--param", paramLabel = "KEY=VALUE", description = "Parameter to override (repeatable); the rest are kept.")
    List<String> params;

    @Option(names = "--name", paramLabel = "NAME", description = "Name of the new task (default: the original's).")
    String name;

    @Option(names = "--queue", paramLabel = "NAME", description = "Queue (default: the original's).")
    String queue;

    @Option(names = "--priority", paramLabel = "N", description = "Priority (default: the original's).")
    Integer priority;

    @Option(names = "--wait", description = "Stream the new task's output and exit with its exit code.")
    boolean waitForTask;

    @Override
    public Integer call() {
        Map<String, String> p;
        try {
            p = ParamParser.parse(params);
        } catch (IllegalArgumentException e) {
            throw usage(e.getMessage());
        }
        if (queue != null && !Ids.isName(queue)) {
            throw usage("--queue '" + queue + "' is not a valid name: use 1-64 letters, digits, '.', '_' or '-'");
        }
        String id = taskId(task);
        ObjectNode body = Json.object();
        if (name != null) body.put("name", name);
        if (!p.isEmpty()) body.set("params", Json.MAPPER.valueToTree(p));
        if (queue != null) body.put("queue", queue);
        if (priority != null) body.put("priority", priority);
        body.put("enqueue", true);
        JsonNode created = client().post(V1 + "/tasks/" + id + "/clone", body).orElseThrow();
        return Submitted.report(this, created, waitForTask);
    }
}

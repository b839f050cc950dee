package io.drover.agent.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.drover.shared.json.Json;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code drover tag}: add tags to a task (or remove them with --remove). */
@Command(name = "tag", mixinStandardHelpOptions = true, description = "Add tags to a task, or remove them with --remove.")
final class TagCommand extends ClientCommand {
    @Parameters(index = "0", paramLabel = "TASK", description = "Task id (or a unique prefix).")
    String task;

    @Parameters(index = "1..*", arity = "1..*", paramLabel = "TAG", description = "Tags: 1-64 letters, digits, '.', '_' or '-'.")
    List<String> tags = new ArrayList<>();

    @Option(names = "--remove", description = "Remove these tags instead of adding them.")
    boolean remove;

    @Override
    public Integer call() {
        String id = taskId(task);
        var body = Json.object();
        var arr = body.putArray(remove ? "removeTags" : "addTags");
        tags.forEach(arr::add);
        JsonNode t = client().patch(V1 + "/tasks/" + id, body).orElseThrow();
        List<String> now = new ArrayList<>();
        t.path("tags").forEach(x -> now.add(x.asText()));
        out().println("Task " + id + " tags: " + (now.isEmpty() ? "(none)" : String.join(", ", now)));
        out().flush();
        return ExitCodes.OK;
    }
}

package io.drover.agent.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.drover.agent.cli.format.Table;
import io.drover.agent.cli.format.Times;
import io.drover.shared.json.Json;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code drover queues}: queues with their depth and the workers listening to them. */
@Command(name = "queues", mixinStandardHelpOptions = true, description = "List queues: depth, oldest queued task, workers.")
final class QueuesCommand extends ClientCommand {
    @Option(names = "--json", description = "Print the API's response as JSON.")
    boolean json;

    @Override
    public Integer call() {
        JsonNode page = client().get(V1 + "/queues");
        if (json) {
            out().println(Json.pretty(page));
        } else {
            Table table = new Table("QUEUE", "DEPTH", "OLDEST QUEUED", "WORKERS");
            for (JsonNode q : page.path("items")) {
                table.row(q.path("name").asText(), q.path("depth").asText("0"), Times.local(q.path("oldestQueuedAt")),
                        join(q.path("workers")));
            }
            table.print(out());
        }
        out().flush();
        return ExitCodes.OK;
    }

    static String join(JsonNode array) {
        List<String> names = new ArrayList<>();
        for (JsonNode n : array) names.add(n.asText());
        return String.join(",", names);
    }
}

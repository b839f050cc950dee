package io.drover.agent.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.drover.agent.cli.format.Table;
import io.drover.agent.cli.format.Times;
import io.drover.shared.json.Json;
import java.util.Locale;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code drover workers}: registered agents, whether they are alive, and what they run. */
@Command(name = "workers", mixinStandardHelpOptions = true, description = "List workers (agents): queues, last seen, current task, load.")
final class WorkersCommand extends ClientCommand {
    @Option(names = "--json", description = "Print the API's response as JSON.")
    boolean json;

    @Override
    public Integer call() {
        JsonNode page = client().get(V1 + "/workers");
        if (json) {
            out().println(Json.pretty(page));
        } else {
            Table table = new Table("WORKER", "HOST", "QUEUES", "STATE", "LAST SEEN", "TASK", "CPU", "MEM");
            for (JsonNode w : page.path("items")) {
                JsonNode s = w.path("stats");
                table.row(w.path("name").asText(), w.path("hostname").asText(), QueuesCommand.join(w.path("queues")),
                        w.path("online").asBoolean() ? "online" : "offline", Times.local(w.path("lastSeen")),
                        w.path("currentTask").isNull() ? "" : w.path("currentTask").asText(),
                        s.path("cpuPercent").isNumber() ? String.format(Locale.ROOT, "%.0f%%", s.path("cpuPercent").asDouble()) : "",
                        s.path("memTotalMb").isNumber() ? s.path("memUsedMb").asLong() + "/" + s.path("memTotalMb").asLong() + " MB" : "");
            }
            table.print(out());
        }
        out().flush();
        return ExitCodes.OK;
    }
}

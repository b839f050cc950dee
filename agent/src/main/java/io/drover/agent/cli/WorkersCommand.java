package io.drover.agent.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.drover.agent.cli.format.Table;
import io.drover.agent.cli.format.Times;
import io.drover.shared.json.Json;
import java.util.Locale;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code drover workers}: registered agents, whether they are alive, and what they run. */
@Command(name = "workers", mixinStandardHelpOptions = true,
        description = "List workers (agents): queues, last seen, running tasks, load, and each GPU with the task holding it.")
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
                        tasks(w),
                        s.path("cpuPercent").isNumber() ? String.format(Locale.ROOT, "%.0f%%", s.path("cpuPercent").asDouble()) : "",
                        s.path("memTotalMb").isNumber() ? s.path("memUsedMb").asLong() + "/" + s.path("memTotalMb").asLong() + " MB" : "");
            }
            table.print(out());
            gpus(page);
        }
        out().flush();
        return ExitCodes.OK;
    }

    /** {@code runningTasks} (several at once with --max-parallel or GPUs), else the single {@code currentTask}. */
    static String tasks(JsonNode w) {
        if (w.path("runningTasks").isArray() && w.path("runningTasks").size() > 0) {
            java.util.List<String> ids = new java.util.ArrayList<>();
            w.path("runningTasks").forEach(t -> ids.add(t.asText()));
            return String.join(",", ids);
        }
        return w.path("currentTask").isNull() || w.path("currentTask").isMissingNode() ? "" : w.path("currentTask").asText();
    }

    /** One line per GPU of each worker that reports GPUs: model, load, and which task holds it (or free). */
    private void gpus(JsonNode page) {
        Table gt = new Table("WORKER", "GPU", "MODEL", "UTIL", "MEMORY", "TEMP", "POWER", "TASK");
        boolean any = false;
        for (JsonNode w : page.path("items")) {
            JsonNode gs = w.path("gpus").isArray() ? w.path("gpus") : w.path("stats").path("gpus");
            for (JsonNode g : gs) {
                any = true;
                gt.row(w.path("name").asText(), g.path("index").asText(), g.path("name").asText(""),
                        g.path("util").isNumber() ? String.format(Locale.ROOT, "%.0f%%", g.path("util").asDouble()) : "n/a",
                        g.path("memTotalMb").isNumber()
                                ? (g.path("memUsedMb").isNumber() ? g.path("memUsedMb").asLong() : "?") + "/" + g.path("memTotalMb").asLong() + " MB"
                                : "n/a",
                        g.path("tempC").isNumber() ? String.format(Locale.ROOT, "%.0f°C", g.path("tempC").asDouble()) : "n/a",
                        g.path("powerW").isNumber() ? String.format(Locale.ROOT, "%.0f W", g.path("powerW").asDouble()) : "n/a",
                        g.path("taskId").isTextual() ? g.path("taskId").asText() : "free");
            }
        }
        if (any) {
            out().println();
            gt.print(out());
        }
    }
}

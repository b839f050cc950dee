package io.drover.agent.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.drover.agent.cli.format.Table;
import io.drover.agent.cli.format.Times;
import io.drover.shared.client.ApiClient;
import io.drover.shared.domain.TaskStatus;
import io.drover.shared.json.Json;
import java.util.LinkedHashMap;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code drover ls}: the newest tasks, optionally filtered. */
@Command(name = "ls", mixinStandardHelpOptions = true, description = "List tasks, newest first.")
final class LsCommand extends ClientCommand {
    @Option(names = "--project", paramLabel = "P", description = "Only this project.")
    String project;

    @Option(names = "--status", paramLabel = "S", description = "Only this status: created, queued, running, completed, failed, aborted.")
    String status;

    @Option(names = "--queue", paramLabel = "Q", description = "Only this queue.")
    String queue;

    @Option(names = "--limit", paramLabel = "N", defaultValue = "50", description = "At most N tasks (1-500, default 50).")
    int limit;

    @Option(names = "--json", description = "Print the API's response ({\"items\":[task...],\"total\",...}) as JSON.")
    boolean json;

    @Override
    public Integer call() {
        if (limit < 1 || limit > 500) throw usage("--limit must be between 1 and 500");
        String st = null;
        if (status != null) {
            try {
                st = TaskStatus.parse(status).wire();
            } catch (IllegalArgumentException e) {
                throw usage("--status: " + e.getMessage());
            }
        }
        Map<String, Object> q = new LinkedHashMap<>();
        q.put("status", st);
        q.put("project", project);
        q.put("queue", queue);
        q.put("sort", "-createdAt");
        q.put("limit", limit);
        JsonNode page = client().get(V1 + "/tasks" + ApiClient.query(q));
        if (json) {
            out().println(Json.pretty(page));
            out().flush();
            return ExitCodes.OK;
        }
        Table table = new Table("ID", "NAME", "PROJECT", "STATUS", "QUEUE", "CREATED");
        for (JsonNode t : page.path("items")) {
            table.row(t.path("id").asText(), t.path("name").asText(), t.path("project").asText(),
                    t.path("status").asText(), t.path("queue").asText(), Times.local(t.path("createdAt")));
        }
        table.print(out());
        long total = page.path("total").asLong(page.path("items").size());
        if (total > page.path("items").size()) {
            out().println("(" + page.path("items").size() + " of " + total + "; use --limit or filters to see others)");
        }
        out().flush();
        return ExitCodes.OK;
    }
}

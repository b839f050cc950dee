package io.drover.agent.cli.access;

import com.fasterxml.jackson.databind.JsonNode;
import io.drover.agent.cli.ClientCommand;
import io.drover.agent.cli.ExitCodes;
import io.drover.agent.cli.format.Table;
import io.drover.agent.cli.format.Times;
import io.drover.shared.client.ApiClient;
import io.drover.shared.json.Json;
import java.util.LinkedHashMap;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code drover audit}: the audit log, newest first (admins only). */
@Command(name = "audit", mixinStandardHelpOptions = true,
        description = "Show the audit log, newest first (admins): logins, keys, users, roles, enqueue/abort/archive, secrets.")
public final class AuditCommand extends ClientCommand {
    @Option(names = "--limit", paramLabel = "N", defaultValue = "50", description = "How many entries (default: ${DEFAULT-VALUE}).")
    int limit;

    @Option(names = "--before", paramLabel = "ID", description = "Entries older than this entry id (paging).")
    String before;

    @Option(names = "--json", description = "Print the API's response as JSON.")
    boolean json;

    @Override
    public Integer call() {
        if (limit < 1) throw usage("--limit must be at least 1");
        Map<String, Object> q = new LinkedHashMap<>();
        q.put("limit", limit);
        if (before != null) q.put("before", before);
        JsonNode page = client().get(V1 + "/audit" + ApiClient.query(q));
        if (json) {
            out().println(Json.pretty(page));
        } else {
            Table t = new Table("ID", "AT", "ACTOR", "ACTION", "TARGET", "FROM", "OUTCOME");
            for (JsonNode e : page.path("items")) {
                t.row(e.path("id").asText(""), Times.local(e.path("at")), e.path("actor").asText(""), e.path("action").asText(""),
                        e.path("target").asText(""), e.path("ip").asText(""), e.path("outcome").asText(""));
            }
            t.print(out());
        }
        out().flush();
        return ExitCodes.OK;
    }
}

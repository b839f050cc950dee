package io.drover.agent.cli.access;

import com.fasterxml.jackson.databind.JsonNode;
import io.drover.agent.cli.ClientCommand;
import io.drover.agent.cli.ExitCodes;
import io.drover.shared.json.Json;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code drover whoami}: the identity behind the credentials this command line uses. */
@Command(name = "whoami", mixinStandardHelpOptions = true, description = "Show who the controller thinks you are, and your project roles.")
public final class WhoamiCommand extends ClientCommand {
    @Option(names = "--json", description = "Print the API's response (GET /auth/me) as JSON.")
    boolean json;

    @Override
    public Integer call() {
        JsonNode me = client().get(V1 + "/auth/me");
        if (json) {
            out().println(Json.pretty(me));
        } else {
            out().println(describe(me));
            List<String> roles = new ArrayList<>();
            for (Map.Entry<String, JsonNode> e : me.path("roles").properties()) roles.add(e.getKey() + "=" + e.getValue().asText());
            out().println("controller: " + controllerUrl());
            out().println("roles: " + (roles.isEmpty() ? (me.path("admin").asBoolean() ? "admin (every project)" : "none yet")
                    : String.join(", ", roles)));
        }
        out().flush();
        return ExitCodes.OK;
    }

    /** {@code alice (Alice Smith), admin} / {@code agent-key (worker key)}. */
    static String describe(JsonNode me) {
        StringBuilder b = new StringBuilder(me.path("username").asText("?"));
        String display = me.path("displayName").asText("");
        if (!display.isBlank() && !display.equals(me.path("username").asText())) b.append(" (").append(display).append(')');
        if (me.path("admin").asBoolean()) b.append(", admin");
        String kind = me.path("kind").asText("");
        if (!kind.isBlank() && !"user".equals(kind)) b.append(", ").append(kind).append(" credential");
        return b.toString();
    }
}

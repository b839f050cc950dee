package io.drover.agent.cli.access;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.drover.agent.cli.ClientCommand;
import io.drover.agent.cli.ExitCodes;
import io.drover.agent.cli.format.Table;
import io.drover.agent.cli.format.Times;
import io.drover.shared.client.ApiClient;
import io.drover.shared.json.Json;
import java.util.Map;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code drover keys create|list|revoke}: API keys for scripts, CI and agents. */
@Command(name = "keys", mixinStandardHelpOptions = true, description = "Manage API keys: create, list, revoke.",
        subcommands = {KeysCommand.Create.class, KeysCommand.List.class, KeysCommand.Revoke.class})
public final class KeysCommand implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "missing command: create, list or revoke (drover keys --help)");
    }

    @Command(name = "create", mixinStandardHelpOptions = true, sortOptions = false,
            description = {"Create an API key and print it once (last line of stdout).",
                    "Use it with --api-key, DROVER_API_KEY or \"apiKey\" in config.json; agents: \"agentKey\"."})
    static final class Create extends ClientCommand {
        @Option(names = "--name", paramLabel = "NAME", description = "What it is for, e.g. ci or gpu-box-1 (default: the server's).")
        String name;

        @Option(names = "--worker", description = "A worker key for an agent (admins only): it can register, claim and write only to tasks it holds.")
        boolean worker;

        @Option(names = "--user", paramLabel = "USER", description = "Create the key for another user (admins only; default: you).")
        String user;

        @Override
        public Integer call() {
            ObjectNode body = Json.object();
            if (name != null) body.put("name", name);
            if (worker) body.put("kind", "worker");
            if (user != null) body.put("user", user);
            JsonNode k = client().post(V1 + "/keys", body).orElseThrow();
            out().println("Created " + k.path("kind").asText("user") + " key " + k.path("id").asText()
                    + " (name " + k.path("name").asText("-") + ", user " + k.path("user").asText("-") + ").");
            out().flush();
            err().println("Store this key now: it is shown only once (the controller keeps only a hash of it).");
            err().flush();
            out().println(k.path("key").asText());
            out().flush();
            return ExitCodes.OK;
        }
    }

    @Command(name = "list", mixinStandardHelpOptions = true, description = "List API keys (yours; admins: everyone's, or --user).")
    static final class List extends ClientCommand {
        @Option(names = "--user", paramLabel = "USER", description = "Only this user's keys (admins).")
        String user;

        @Option(names = "--json", description = "Print the API's response as JSON.")
        boolean json;

        @Override
        public Integer call() {
            JsonNode page = client().get(V1 + "/keys" + ApiClient.query(user == null ? Map.of() : Map.of("user", user)));
            if (json) {
                out().println(Json.pretty(page));
            } else {
                Table t = new Table("ID", "NAME", "KIND", "USER", "CREATED", "LAST USED", "STATE");
                for (JsonNode k : page.path("items")) {
                    t.row(k.path("id").asText(), k.path("name").asText(""), k.path("kind").asText(""), k.path("user").asText(""),
                            Times.local(k.path("createdAt")), Times.local(k.path("lastUsedAt")),
                            k.path("revoked").asBoolean() ? "revoked" : "active");
                }
                t.print(out());
            }
            out().flush();
            return ExitCodes.OK;
        }
    }

    @Command(name = "revoke", mixinStandardHelpOptions = true, description = "Revoke an API key: it stops working at once.")
    static final class Revoke extends ClientCommand {
        @Parameters(index = "0", paramLabel = "ID", description = "The key's id (drover keys list), or the whole key.")
        String id;

        @Override
        public Integer call() {
            String keyId = ApiKeys.idFromInput(id);
            if (keyId == null) throw usage("'" + id + "' is not a key id: give the 16-character ID that 'drover keys list' shows");
            client().delete(V1 + "/keys/" + keyId);
            out().println("Revoked key " + keyId + ".");
            return ExitCodes.OK;
        }
    }
}

package io.drover.agent.cli.access;

import com.fasterxml.jackson.databind.JsonNode;
import io.drover.agent.cli.ClientCommand;
import io.drover.agent.cli.ExitCodes;
import io.drover.agent.cli.format.Table;
import io.drover.agent.cli.format.Times;
import io.drover.shared.client.ApiClient;
import io.drover.shared.domain.Ids;
import io.drover.shared.json.Json;
import java.util.Map;
import java.util.regex.Pattern;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code drover secrets set|list|delete}: per-project secrets, injected into the project's tasks
 * as environment variables and masked in their logs. Values go in, never come back out.
 */
@Command(name = "secrets", mixinStandardHelpOptions = true,
        description = {"Manage a project's secrets (owners and admins): set, list, delete.",
                "Tasks of the project get them as environment variables; their values show as *** in logs.",
                "A secret named GIT_TOKEN is used to clone private https repositories."},
        subcommands = {SecretsCommand.Set.class, SecretsCommand.List.class, SecretsCommand.Delete.class})
public final class SecretsCommand implements Runnable {
    /** docs/API.md: an environment variable name. */
    static final Pattern NAME = Pattern.compile("[A-Z_][A-Z0-9_]{0,63}");

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "missing command: set, list or delete (drover secrets --help)");
    }

    /** What every secrets command needs: the project, checked before anything is sent. */
    abstract static class InProject extends ClientCommand {
        @Option(names = {"--project", "-p"}, required = true, paramLabel = "P", description = "The project.")
        String project;

        String base() {
            if (!Ids.isName(project)) throw usage("--project '" + project + "' is not a valid project name");
            return V1 + "/projects/" + ApiClient.enc(project) + "/secrets";
        }

        String checked(String name) {
            if (!NAME.matcher(name).matches()) {
                throw usage("secret name '" + name + "' is not an environment variable name: use A-Z, 0-9 and _,"
                        + " not starting with a digit, at most 64 characters (e.g. GIT_TOKEN, AWS_SECRET_ACCESS_KEY)");
            }
            return name;
        }
    }

    @Command(name = "set", mixinStandardHelpOptions = true, sortOptions = false,
            description = {"Create or replace a secret. The value is asked for without echo, or read from stdin",
                    "with --value-stdin (e.g. drover secrets set GIT_TOKEN -p P --value-stdin < token.txt)."})
    static final class Set extends InProject {
        @Parameters(index = "0", paramLabel = "NAME", description = "Environment variable name, e.g. GIT_TOKEN.")
        String name;

        @Option(names = "--value-stdin", description = "Read the value from stdin (all of it, one trailing newline dropped).")
        boolean valueStdin;

        @Option(names = "--value", paramLabel = "VALUE", hidden = true,
                description = "The value as an argument: it lands in your shell history and the process list; prefer --value-stdin.")
        String value;

        @Override
        public Integer call() {
            String path = base() + "/" + checked(name);
            String v;
            if (value != null) {
                err().println("warning: a value given with --value is now in your shell history and was visible in the"
                        + " process list; prefer --value-stdin or the prompt, and rotate the secret if others share this machine");
                err().flush();
                v = value;
            } else if (valueStdin) {
                v = SecretInput.all(root(), "secret value");
            } else {
                v = SecretInput.prompt(root(), "value of " + name, true, "--value-stdin");
            }
            JsonNode r = client().put(path, Map.of("value", v)).orElse(Json.object());
            out().println("Secret " + name + " set in project " + project
                    + (r.hasNonNull("updatedAt") ? " (" + Times.local(r.path("updatedAt")) + ")" : "")
                    + "; the project's next tasks get it as $" + name + ".");
            return ExitCodes.OK;
        }
    }

    @Command(name = "list", mixinStandardHelpOptions = true, description = "List a project's secrets: names and dates, never values.")
    static final class List extends InProject {
        @Option(names = "--json", description = "Print the API's response as JSON.")
        boolean json;

        @Override
        public Integer call() {
            JsonNode page = client().get(base());
            if (json) {
                out().println(Json.pretty(page));
            } else {
                Table t = new Table("NAME", "UPDATED", "BY");
                for (JsonNode s : page.path("items")) {
                    t.row(s.path("name").asText(), Times.local(s.path("updatedAt")), s.path("updatedBy").asText(""));
                }
                t.print(out());
            }
            out().flush();
            return ExitCodes.OK;
        }
    }

    @Command(name = "delete", mixinStandardHelpOptions = true, description = "Delete a secret; tasks started afterwards no longer get it.")
    static final class Delete extends InProject {
        @Parameters(index = "0", paramLabel = "NAME", description = "Secret name.")
        String name;

        @Override
        public Integer call() {
            client().delete(base() + "/" + checked(name));
            out().println("Deleted secret " + name + " from project " + project + ".");
            return ExitCodes.OK;
        }
    }
}

package io.drover.agent.cli.access;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.drover.agent.cli.ClientCommand;
import io.drover.agent.cli.ExitCodes;
import io.drover.agent.cli.format.Table;
import io.drover.agent.cli.format.Times;
import io.drover.shared.client.ApiClient;
import io.drover.shared.json.Json;
import picocli.CommandLine;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code drover users add|list|set}: user accounts (admins only). */
@Command(name = "users", mixinStandardHelpOptions = true,
        description = "Manage users: add, list, set (admins only); passwd changes your own password.",
        subcommands = {UsersCommand.Add.class, UsersCommand.List.class, UsersCommand.Set.class, UsersCommand.Passwd.class})
public final class UsersCommand implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "missing command: add, list, set or passwd (drover users --help)");
    }

    @Command(name = "add", mixinStandardHelpOptions = true, sortOptions = false,
            description = {"Create a user. Without --password-stdin a password is generated and printed once:",
                    "pass it on safely; the user can change it later."})
    static final class Add extends ClientCommand {
        @Parameters(index = "0", paramLabel = "USER", description = "User name.")
        String username;

        @Option(names = "--display-name", paramLabel = "NAME", description = "Full name shown in the dashboard.")
        String displayName;

        @Option(names = "--admin", description = "Make the user an admin (everything, every project).")
        boolean admin;

        @Option(names = "--password-stdin", description = "Read the password from the first line of stdin (at least 12 characters).")
        boolean passwordStdin;

        @Override
        public Integer call() {
            ObjectNode body = Json.object();
            body.put("username", username);
            if (displayName != null) body.put("displayName", displayName);
            if (admin) body.put("admin", true);
            if (passwordStdin) body.put("password", SecretInput.firstLine(root(), "password"));
            JsonNode u = client().post(V1 + "/users", body).orElseThrow();
            out().println("Created user " + u.path("username").asText(username) + (admin ? " (admin)" : "")
                    + "; give them a project role with: drover grant " + username + " member --project P");
            String generated = u.path("generatedPassword").asText("");
            if (!generated.isBlank()) {
                err().println("The generated password is shown only now: pass it on safely.");
                err().flush();
                out().println("password: " + generated);
            }
            out().flush();
            return ExitCodes.OK;
        }
    }

    @Command(name = "list", mixinStandardHelpOptions = true, description = "List users.")
    static final class List extends ClientCommand {
        @Option(names = "--json", description = "Print the API's response as JSON.")
        boolean json;

        @Override
        public Integer call() {
            JsonNode page = client().get(V1 + "/users");
            if (json) {
                out().println(Json.pretty(page));
            } else {
                Table t = new Table("USER", "DISPLAY NAME", "ADMIN", "STATE", "SOURCE", "CREATED");
                for (JsonNode u : page.path("items")) {
                    t.row(u.path("username").asText(), u.path("displayName").asText(""),
                            u.path("admin").asBoolean() ? "yes" : "no", u.path("disabled").asBoolean() ? "disabled" : "active",
                            u.path("source").asText(""), Times.local(u.path("createdAt")));
                }
                t.print(out());
            }
            out().flush();
            return ExitCodes.OK;
        }
    }

    @Command(name = "set", mixinStandardHelpOptions = true, sortOptions = false,
            description = "Change a user: enable or disable, admin or not, display name, password.")
    static final class Set extends ClientCommand {
        @Parameters(index = "0", paramLabel = "USER", description = "User name.")
        String username;

        @ArgGroup(exclusive = true)
        Enabled enabled;

        @ArgGroup(exclusive = true)
        Admin adminFlag;

        @Option(names = "--display-name", paramLabel = "NAME", description = "New display name.")
        String displayName;

        @Option(names = "--password-stdin", description = "Set a new password read from the first line of stdin.")
        boolean passwordStdin;

        static final class Enabled {
            @Option(names = "--disable", required = true, description = "Disable the user: logins and their keys stop working at once.")
            boolean disable;

            @Option(names = "--enable", required = true, description = "Enable the user again.")
            boolean enable;
        }

        static final class Admin {
            @Option(names = "--admin", required = true, description = "Make the user an admin.")
            boolean admin;

            @Option(names = "--no-admin", required = true, description = "Take admin rights away.")
            boolean noAdmin;
        }

        @Override
        public Integer call() {
            ObjectNode body = Json.object();
            if (enabled != null) body.put("disabled", enabled.disable);
            if (adminFlag != null) body.put("admin", adminFlag.admin);
            if (displayName != null) body.put("displayName", displayName);
            if (passwordStdin) body.put("password", SecretInput.firstLine(root(), "password"));
            if (body.isEmpty()) {
                throw usage("nothing to change: give --disable/--enable, --admin/--no-admin, --display-name or --password-stdin");
            }
            client().patch(V1 + "/users/" + ApiClient.enc(username), body);
            out().println("Updated user " + username + ": " + String.join(", ", changes(body)) + ".");
            return ExitCodes.OK;
        }

        private static java.util.List<String> changes(ObjectNode body) {
            java.util.List<String> c = new java.util.ArrayList<>();
            if (body.has("disabled")) c.add(body.get("disabled").asBoolean() ? "disabled" : "enabled");
            if (body.has("admin")) c.add(body.get("admin").asBoolean() ? "admin" : "not admin");
            if (body.has("displayName")) c.add("display name set");
            if (body.has("password")) c.add("password changed");
            return c;
        }
    }

    @Command(name = "passwd", mixinStandardHelpOptions = true,
            description = {"Change your own password (at least 12 characters). Asks for the current and the new one",
                    "without echo, or reads them from the first two lines of stdin with --password-stdin."})
    static final class Passwd extends ClientCommand {
        @Option(names = "--password-stdin", description = "Read the current password and the new one from the first two lines of stdin.")
        boolean passwordStdin;

        @Override
        public Integer call() {
            String current;
            String next;
            if (passwordStdin) {
                String[] lines = SecretInput.all(root(), "passwords").split("\r?\n", -1);
                if (lines.length < 2 || lines[0].isEmpty() || lines[1].isEmpty()) {
                    throw usage("--password-stdin needs two lines: the current password, then the new one");
                }
                current = lines[0];
                next = lines[1];
            } else {
                current = SecretInput.prompt(root(), "current password", false, "--password-stdin");
                next = SecretInput.prompt(root(), "new password", true, "--password-stdin");
            }
            ObjectNode body = Json.object();
            body.put("oldPassword", current);
            body.put("newPassword", next);
            client().post(V1 + "/auth/password", body);
            out().println("Password changed. Your API keys keep working; log in to the dashboard with the new password.");
            return ExitCodes.OK;
        }
    }
}

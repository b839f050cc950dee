package io.drover.agent.cli.access;

import io.drover.agent.cli.ClientCommand;
import io.drover.agent.cli.ExitCodes;
import io.drover.shared.client.ApiClient;
import io.drover.shared.domain.Ids;
import java.util.Map;
import java.util.Set;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code drover grant USER ROLE --project P}: give a user a role in a project (owners and admins). */
@Command(name = "grant", mixinStandardHelpOptions = true,
        description = {"Give USER a role in a project (replaces their current role there).",
                "Roles: owner (run, manage members and secrets), member (create, run, edit), viewer (read only)."})
public final class GrantCommand extends ClientCommand {
    static final Set<String> ROLES = Set.of("owner", "member", "viewer");

    @Parameters(index = "0", paramLabel = "USER", description = "User name.")
    String user;

    @Parameters(index = "1", paramLabel = "ROLE", description = "owner, member or viewer.")
    String role;

    @Option(names = {"--project", "-p"}, required = true, paramLabel = "P", description = "The project.")
    String project;

    @Override
    public Integer call() {
        String r = role.strip().toLowerCase(java.util.Locale.ROOT);
        if (!ROLES.contains(r)) {
            throw usage("role '" + role + "' is not one of owner, member, viewer (admin is a user flag: drover users set USER --admin)");
        }
        client().put(path(project, user), Map.of("role", r));
        out().println("Granted " + user + " the role " + r + " in project " + project + ".");
        return ExitCodes.OK;
    }

    static String path(String project, String user) {
        if (!Ids.isName(project)) throw new IllegalArgumentException("--project '" + project + "' is not a valid project name");
        return V1 + "/projects/" + ApiClient.enc(project) + "/members/" + ApiClient.enc(user);
    }
}

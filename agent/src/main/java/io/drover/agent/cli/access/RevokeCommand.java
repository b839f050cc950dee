package io.drover.agent.cli.access;

import io.drover.agent.cli.ClientCommand;
import io.drover.agent.cli.ExitCodes;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code drover revoke USER --project P}: take a user's role in a project away. */
@Command(name = "revoke", mixinStandardHelpOptions = true,
        description = "Remove USER's role in a project (their keys keep working elsewhere; revoke a key with 'drover keys revoke').")
public final class RevokeCommand extends ClientCommand {
    @Parameters(index = "0", paramLabel = "USER", description = "User name.")
    String user;

    @Option(names = {"--project", "-p"}, required = true, paramLabel = "P", description = "The project.")
    String project;

    @Override
    public Integer call() {
        client().delete(GrantCommand.path(project, user));
        out().println("Removed " + user + " from project " + project + ".");
        return ExitCodes.OK;
    }
}

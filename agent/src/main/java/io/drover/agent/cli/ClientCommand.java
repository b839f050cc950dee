package io.drover.agent.cli;

import io.drover.shared.client.ApiClient;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/** What every client command shares: the connection to the controller and the output streams. */
abstract class ClientCommand implements Callable<Integer> {
    /** API prefix of every path the client calls. */
    static final String V1 = "/api/v1";

    @ParentCommand
    DroverCli root;

    @Mixin
    ConnectionOptions connection;

    @Spec
    CommandSpec spec;

    private ApiClient client;

    ApiClient client() {
        if (client == null) {
            ConnectionOptions c = connection.orElse(root.connection);
            String url = ClientConfig.controller(c.controller, root.env()).value();
            client = new ApiClient(url, ClientConfig.apiKey(c.apiKey, root.env()));
        }
        return client;
    }

    PrintWriter out() {
        return spec.commandLine().getOut();
    }

    PrintWriter err() {
        return spec.commandLine().getErr();
    }

    /** A mistake on the command line: exit 2 with the message and a pointer to {@code --help}. */
    ParameterException usage(String message) {
        return new ParameterException(spec.commandLine(), message);
    }

    /** Full task id for what the user typed (a full id, or a unique prefix of a recent one). */
    String taskId(String given) {
        try {
            return TaskRef.resolve(client(), given);
        } catch (TaskRef.NotAnIdException e) {
            throw usage(e.getMessage());
        }
    }
}

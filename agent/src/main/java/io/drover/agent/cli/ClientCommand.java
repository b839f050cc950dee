package io.drover.agent.cli;

import io.drover.agent.config.ClientConfig;
import io.drover.shared.client.ApiClient;
import java.io.PrintWriter;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * What every client command shares: the connection to the controller, the credentials and the
 * output streams. Works at any depth ({@code drover ls}, {@code drover keys create}).
 */
public abstract class ClientCommand implements Callable<Integer> {
    /** API prefix of every path the client calls. */
    public static final String V1 = "/api/v1";

    @Mixin
    ConnectionOptions connection;

    @Spec
    CommandSpec spec;

    private ApiClient client;

    /** The {@code drover} command this one runs under (its environment, stdin, global options). */
    protected DroverCli root() {
        return (DroverCli) spec.root().userObject();
    }

    protected Map<String, String> env() {
        return root().env();
    }

    /** {@code --controller}/{@code --api-key} of this command where given, else the global ones. */
    protected ConnectionOptions connection() {
        return connection.orElse(root().connection);
    }

    /** The controller URL this command talks to. */
    protected String controllerUrl() {
        return ClientConfig.controller(connection().controller, env()).value();
    }

    protected ApiClient client() {
        if (client == null) {
            client = new ApiClient(controllerUrl(), ClientConfig.apiKey(connection().apiKey, env()));
        }
        return client;
    }

    protected PrintWriter out() {
        return spec.commandLine().getOut();
    }

    protected PrintWriter err() {
        return spec.commandLine().getErr();
    }

    /** A mistake on the command line: exit 2 with the message and a pointer to {@code --help}. */
    protected ParameterException usage(String message) {
        return new ParameterException(spec.commandLine(), message);
    }

    /** Full task id for what the user typed (a full id, or a unique prefix of a recent one). */
    protected String taskId(String given) {
        try {
            return TaskRef.resolve(client(), given);
        } catch (TaskRef.NotAnIdException e) {
            throw usage(e.getMessage());
        }
    }
}

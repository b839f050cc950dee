package io.drover.agent.cli;

import picocli.CommandLine.Option;

/**
 * {@code --controller} and {@code --api-key}, accepted both before the sub-command
 * ({@code drover --controller URL ls}) and after it ({@code drover ls --controller URL}).
 */
public final class ConnectionOptions {
    @Option(names = "--controller", paramLabel = "URL[,URL...]",
            description = "Controller URL, or several comma-separated: one is used at a time, the next when it is down "
                    + "(default: $DROVER_CONTROLLER, else \"controller\" in $DROVER_HOME/config.json, else http://127.0.0.1:8080).")
    String controller;

    @Option(names = "--api-key", paramLabel = "KEY",
            description = "API key sent as a bearer token (default: $DROVER_API_KEY, else \"apiKey\" in the config file).")
    String apiKey;

    public String controller() {
        return controller;
    }

    public String apiKey() {
        return apiKey;
    }

    /** This command's value where given, else the root command's. */
    ConnectionOptions orElse(ConnectionOptions outer) {
        ConnectionOptions o = new ConnectionOptions();
        o.controller = controller != null ? controller : outer == null ? null : outer.controller;
        o.apiKey = apiKey != null ? apiKey : outer == null ? null : outer.apiKey;
        return o;
    }
}

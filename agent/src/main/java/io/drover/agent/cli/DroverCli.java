package io.drover.agent.cli;

import io.drover.agent.AgentCommand;
import io.drover.agent.cli.access.AuditCommand;
import io.drover.agent.cli.access.GrantCommand;
import io.drover.agent.cli.access.KeysCommand;
import io.drover.agent.cli.access.LoginCommand;
import io.drover.agent.cli.access.LogoutCommand;
import io.drover.agent.cli.access.RevokeCommand;
import io.drover.agent.cli.access.SecretsCommand;
import io.drover.agent.cli.access.UsersCommand;
import io.drover.agent.cli.access.WhoamiCommand;
import io.drover.agent.config.ClientConfig;
import io.drover.shared.domain.DroverException;
import io.drover.shared.domain.ErrorCode;
import java.io.InputStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * The {@code drover} command line: client commands that talk to the controller's HTTP API, and
 * {@code agent}, the worker daemon. Errors a user can cause print {@code error: <what to do>} and
 * exit 1 (2 for a wrong command line); stack traces only with {@code DROVER_DEBUG=1}.
 */
@Command(name = "drover", mixinStandardHelpOptions = true, versionProvider = VersionProvider.class,
        description = "Run Python scripts from git on Drover queues and inspect the results.",
        subcommands = {SubmitCommand.class, CloneCommand.class, ShowCommand.class, LogsCommand.class,
                AbortCommand.class, TagCommand.class, CommentCommand.class, LsCommand.class, QueuesCommand.class, WorkersCommand.class, AgentCommand.class,
                LoginCommand.class, LogoutCommand.class, WhoamiCommand.class, UsersCommand.class, KeysCommand.class,
                SecretsCommand.class, GrantCommand.class, RevokeCommand.class, AuditCommand.class,
                CommandLine.HelpCommand.class},
        footer = {"", "Start a controller and a local agent with './scripts/drover up'.",
                "Docs: README.md (CLI and config reference), docs/API.md (HTTP API)."})
public final class DroverCli implements Runnable {
    private final Map<String, String> env;
    private final InputStream in;

    @Mixin
    ConnectionOptions connection;

    @Spec
    CommandSpec spec;

    public DroverCli(Map<String, String> env) {
        this(env, System.in);
    }

    public DroverCli(Map<String, String> env, InputStream in) {
        this.env = Map.copyOf(env);
        this.in = in;
    }

    /** Standard input ({@code --password-stdin}, {@code --value-stdin}); injected by tests. */
    public InputStream in() {
        return in;
    }

    /** The terminal to prompt on without echo, or null when stdin is not the user's terminal. */
    public java.io.Console console() {
        return in == System.in ? System.console() : null;
    }

    /** Environment the commands read ({@code DROVER_*}); injected so tests never touch the real one. */
    public Map<String, String> env() {
        return env;
    }

    @Override
    public void run() {
        throw new ParameterException(spec.commandLine(), "missing command: try 'drover submit --help' or 'drover --help'");
    }

    /** Builds the command line with its error handling wired to {@code out}/{@code err}. */
    public static CommandLine commandLine(Map<String, String> env, PrintWriter out, PrintWriter err) {
        return commandLine(env, System.in, out, err);
    }

    public static CommandLine commandLine(Map<String, String> env, InputStream in, PrintWriter out, PrintWriter err) {
        CommandLine cl = new CommandLine(new DroverCli(env, in));
        cl.setOut(out);
        cl.setErr(err);
        cl.setParameterExceptionHandler(DroverCli::usageError);
        cl.setExecutionExceptionHandler((ex, cmd, parsed) -> failure(ex, cmd.getErr(), env));
        cl.setExecutionStrategy(parsed -> {
            try {
                daemonConnection(parsed, env);
            } catch (RuntimeException e) { // e.g. a bad URL in the config file: one "error:" line
                throw new CommandLine.ExecutionException(parsed.commandSpec().commandLine(), e.getMessage(), e);
            }
            return new CommandLine.RunLast().execute(parsed);
        });
        return cl;
    }

    /**
     * {@code drover --controller URL agent}: the daemon parses its own flags, so hand it the root's
     * {@code --controller} and {@code --api-key} (and what the environment given to this command
     * line and the config file under {@code $DROVER_HOME} say) unless it was given its own.
     * Returns the URL handed over, or null.
     */
    static String daemonConnection(CommandLine.ParseResult parsed, Map<String, String> env) {
        CommandLine.ParseResult sub = parsed.subcommand();
        if (sub == null || !"agent".equals(sub.commandSpec().name())) return null;
        DroverCli root = (DroverCli) parsed.commandSpec().userObject();
        CommandLine.Model.OptionSpec key = sub.commandSpec().findOption("--api-key");
        if (key != null && !sub.hasMatchedOption("--api-key")) {
            String k = ClientConfig.agentKey(root.connection.apiKey, env);
            if (k != null) key.setValue(k);
        }
        CommandLine.Model.OptionSpec opt = sub.commandSpec().findOption("--controller");
        if (opt == null || sub.hasMatchedOption("--controller")) return null;
        ClientConfig.Resolved r = ClientConfig.controller(root.connection.controller, env);
        if ("default".equals(r.source())) return null;
        opt.setValue(r.value());
        return r.value();
    }

    /** Runs one command line and returns its exit code (what {@link #main} passes to {@code System.exit}). */
    public static int run(String[] args, Map<String, String> env, PrintWriter out, PrintWriter err) {
        return run(args, env, System.in, out, err);
    }

    public static int run(String[] args, Map<String, String> env, InputStream in, PrintWriter out, PrintWriter err) {
        try {
            return commandLine(env, in, out, err).execute(args);
        } finally {
            out.flush();
            err.flush();
        }
    }

    public static void main(String[] args) {
        // "agent" anywhere (also after global options) keeps the daemon's INFO log; at worst a
        // client command given a value "agent" logs a little more.
        boolean daemon = java.util.Arrays.asList(args).contains("agent");
        if (daemon) {
            try { // the log backend is fixed by the first logger, so choose it before parsing
                io.drover.shared.logging.LogFormat.choose(args, System.getenv()).install();
            } catch (IllegalArgumentException e) {
                System.err.println("error: " + e.getMessage());
                System.exit(ExitCodes.USAGE);
            }
        }
        // The client's output is for people and scripts: library chatter (JGit, HTTP) stays quiet.
        if (!daemon && System.getProperty("org.slf4j.simpleLogger.defaultLogLevel") == null) {
            System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", "warn");
        }
        PrintWriter out = new PrintWriter(new java.io.OutputStreamWriter(System.out, StandardCharsets.UTF_8), true);
        PrintWriter err = new PrintWriter(new java.io.OutputStreamWriter(System.err, StandardCharsets.UTF_8), true);
        // AgentCommand returns only once the daemon has stopped, so exiting here never cuts it short.
        System.exit(run(args, System.getenv(), out, err));
    }

    private static int usageError(ParameterException ex, String[] args) {
        CommandLine cmd = ex.getCommandLine();
        PrintWriter err = cmd.getErr();
        err.println("error: " + ex.getMessage());
        CommandLine.UnmatchedArgumentException.printSuggestions(ex, err);
        err.println("run '" + cmd.getCommandSpec().qualifiedName() + " --help' for usage");
        return ExitCodes.USAGE;
    }

    /** What a 401 means to a CLI user, whatever the server's wording. */
    public static final String NOT_LOGGED_IN =
            "not logged in or the key was revoked: run 'drover login' or pass --api-key";

    private static int failure(Exception ex, PrintWriter err, Map<String, String> env) {
        if (ex instanceof DroverException d && d.code() == ErrorCode.UNAUTHORIZED) {
            err.println("error: " + NOT_LOGGED_IN);
        } else if (ex instanceof DroverException || ex instanceof IllegalArgumentException) {
            err.println("error: " + ex.getMessage());
        } else {
            err.println("error: unexpected " + ex.getClass().getSimpleName() + ": " + ex.getMessage()
                    + (debug(env) ? "" : " (set DROVER_DEBUG=1 for details)"));
        }
        if (debug(env)) ex.printStackTrace(err);
        return ExitCodes.ERROR;
    }

    private static boolean debug(Map<String, String> env) {
        String d = env.get("DROVER_DEBUG");
        return d != null && !d.isBlank() && !"0".equals(d);
    }
}

package io.drover.agent.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.drover.agent.cli.git.TestRepos;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The command line's contract without a controller: usage errors, user errors, no stack traces. */
class DroverCliTest {
    @TempDir
    Path tmp;

    Map<String, String> env;
    String deadController;

    @BeforeEach
    void setUp() throws Exception {
        env = Map.of("DROVER_HOME", tmp.resolve("home").toString());
        try (ServerSocket s = new ServerSocket(0)) {
            deadController = "http://127.0.0.1:" + s.getLocalPort(); // closed again: connection refused
        }
    }

    @Test
    void everyContractCommandIsThere() {
        CliRun r = CliRun.of(env, "--help");
        assertThat(r.code()).isZero();
        for (String c : new String[] {"submit", "clone", "show", "logs", "abort", "ls", "queues", "workers", "agent",
                "login", "logout", "whoami", "users", "keys", "secrets", "grant", "revoke", "audit"}) {
            assertThat(r.out()).contains("  " + c);
        }
        for (String[] c : new String[][] {{"users", "add"}, {"users", "set"}, {"users", "passwd"}, {"keys", "create"},
                {"keys", "revoke"}, {"secrets", "set"}, {"secrets", "list"}, {"grant"}, {"login"}}) {
            java.util.List<String> args = new java.util.ArrayList<>(java.util.List.of(c));
            args.add("--help");
            CliRun help = CliRun.of(env, args.toArray(String[]::new));
            assertThat(help.code()).as(args + ": " + help.err()).isZero();
            assertThat(help.out()).startsWith("Usage: drover " + String.join(" ", c));
        }
        assertThat(CliRun.of(env, "secrets", "set", "--help").out()).as("--value stays out of the help").doesNotContain("--value=")
                .contains("--value-stdin");
        assertThat(CliRun.of(env, "--version").out()).startsWith("drover ");
        for (String c : new String[] {"submit", "clone", "show", "logs", "abort", "ls", "queues", "workers"}) {
            CliRun help = CliRun.of(env, c, "--help");
            assertThat(help.code()).as(c + " --help: " + help.err()).isZero();
            assertThat(help.out()).startsWith("Usage: drover " + c);
        }
        assertThat(CliRun.of(env, "submit", "--help").out()).contains("--script=FILE", "--param=KEY=VALUE", "--wait");
    }

    @Test
    void paramWithoutEqualsIsAUsageError() throws Exception {
        Path repo = tmp.resolve("repo");
        TestRepos.init(repo, "train.py", "print(1)\n").close();
        CliRun r = CliRun.of(env, "--controller", deadController, "submit", repo.toString(), "--script", "train.py", "--param", "lr");
        assertThat(r.code()).isEqualTo(ExitCodes.USAGE);
        assertThat(r.err()).startsWith("error: --param 'lr' has no '='").contains("drover submit --help").doesNotContain("Exception");
    }

    @Test
    void unknownOptionAndMissingCommandAreUsageErrors() {
        assertThat(CliRun.of(env, "ls", "--bogus").code()).isEqualTo(ExitCodes.USAGE);
        CliRun none = CliRun.of(env);
        assertThat(none.code()).isEqualTo(ExitCodes.USAGE);
        assertThat(none.err()).contains("missing command");
        CliRun status = CliRun.of(env, "ls", "--status", "done");
        assertThat(status.code()).isEqualTo(ExitCodes.USAGE);
        assertThat(status.err()).contains("unknown task status 'done'");
    }

    @Test
    void submitOutsideGitIsAClearError() throws Exception {
        Path plain = Files.createDirectories(tmp.resolve("plain"));
        Files.writeString(plain.resolve("train.py"), "print(1)\n");
        CliRun r = CliRun.of(env, "--controller", deadController, "submit", plain.toString(), "--script", "train.py");
        assertThat(r.code()).isEqualTo(ExitCodes.ERROR);
        assertThat(r.err()).startsWith("error: ").contains("is not inside a git work tree").doesNotContain("at io.drover");
        assertThat(r.out()).isEmpty();
    }

    @Test
    void missingScriptIsAUsageError() throws Exception {
        Path repo = tmp.resolve("repo");
        TestRepos.init(repo, "train.py", "print(1)\n").close();
        CliRun r = CliRun.of(env, "--controller", deadController, "submit", repo.toString(), "--script", "nope.py");
        assertThat(r.code()).isEqualTo(ExitCodes.USAGE);
        assertThat(r.err()).contains("--script nope.py: no such file");
    }

    @Test
    void unreachableControllerIsOneLineWithWhatToDo() {
        CliRun r = CliRun.of(env, "ls", "--controller", deadController);
        assertThat(r.code()).isEqualTo(ExitCodes.ERROR);
        assertThat(r.err().strip()).startsWith("error: cannot reach the controller at " + deadController)
                .contains("drover up").doesNotContain("\n");
    }

    @Test
    void malformedTaskIdIsAUsageError() {
        CliRun r = CliRun.of(env, "show", "not-an-id", "--controller", deadController);
        assertThat(r.code()).isEqualTo(ExitCodes.USAGE);
        assertThat(r.err()).contains("'not-an-id' is not a task id");
    }

    @Test
    void theDaemonGetsTheRootControllerOrTheDroverHomeConfig() throws Exception {
        java.io.PrintWriter sink = new java.io.PrintWriter(new java.io.StringWriter());
        var cl = DroverCli.commandLine(env, sink, sink);
        assertThat(DroverCli.daemonConnection(cl.parseArgs("--controller", "http://c1:1", "agent"), env)).isEqualTo("http://c1:1");
        assertThat(cl.getSubcommands().get("agent").getCommandSpec().findOption("--controller").<String>getValue())
                .isEqualTo("http://c1:1");
        cl = DroverCli.commandLine(env, sink, sink);
        assertThat(DroverCli.daemonConnection(cl.parseArgs("--controller", "http://c1:1", "agent", "--controller", "http://own:2"), env))
                .as("the daemon's own flag wins").isNull();
        cl = DroverCli.commandLine(env, sink, sink);
        assertThat(DroverCli.daemonConnection(cl.parseArgs("agent"), env)).as("nothing configured").isNull();
        cl = DroverCli.commandLine(env, sink, sink);
        DroverCli.daemonConnection(cl.parseArgs("--api-key", "k-root", "agent"), env);
        assertThat(cl.getSubcommands().get("agent").getCommandSpec().findOption("--api-key").<String>getValue())
                .as("the root's --api-key reaches the daemon").isEqualTo("k-root");
        Path home = Files.createDirectories(tmp.resolve("home"));
        Files.writeString(home.resolve("config.json"), "{\"controller\":\"http://from-file:3\"}");
        cl = DroverCli.commandLine(env, sink, sink);
        assertThat(DroverCli.daemonConnection(cl.parseArgs("agent", "--queue", "gpu"), env)).isEqualTo("http://from-file:3");
        cl = DroverCli.commandLine(env, sink, sink);
        assertThat(DroverCli.daemonConnection(cl.parseArgs("ls"), env)).isNull();

        Files.writeString(home.resolve("config.json"), "{\"controller\":\"not a url\"}");
        CliRun bad = CliRun.of(env, "agent");
        assertThat(bad.code()).isEqualTo(ExitCodes.ERROR);
        assertThat(bad.err()).startsWith("error: controller URL 'not a url'").contains("config.json");
    }

    @Test
    void waitExitCodesFollowTheTask() {
        assertThat(TaskFollower.exitCode("completed", 0)).isZero();
        assertThat(TaskFollower.exitCode("failed", 3)).isEqualTo(3);
        assertThat(TaskFollower.exitCode("failed", null)).isEqualTo(ExitCodes.ERROR);
        assertThat(TaskFollower.exitCode("failed", -9)).isEqualTo(137);
        assertThat(TaskFollower.exitCode("aborted", null)).isEqualTo(ExitCodes.ABORTED);
    }
}

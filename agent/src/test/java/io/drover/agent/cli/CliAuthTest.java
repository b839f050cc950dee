package io.drover.agent.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.drover.agent.cli.git.TestRepos;
import io.drover.agent.config.ConfigFile;
import io.drover.controller.Controller;
import io.drover.controller.auth.Bootstrap;
import io.drover.controller.config.ControllerConfig;
import io.drover.shared.json.Json;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The access-control commands against a real controller with auth ON (its defaults), HTTP on
 * port 0. The admin's password and key come from the controller's first-start bootstrap.
 */
class CliAuthTest {
    @TempDir
    static Path tmp;

    static Controller controller;
    static Bootstrap.Result boot;
    /** The CLI as the admin: its key in DROVER_API_KEY. */
    static Map<String, String> admin;
    static Path repo;

    @BeforeAll
    static void start() throws Exception {
        controller = Controller.start(ControllerConfig.defaults().withPort(0).withDataDir(tmp.resolve("data")));
        boot = controller.bootstrap();
        assertThat(boot).as("an empty store with auth on bootstraps an admin").isNotNull();
        admin = env("admin-home", boot.adminKey());
        repo = tmp.resolve("repo");
        TestRepos.init(repo, "train.py", "print('hello')\n").close();
    }

    @AfterAll
    static void stop() {
        if (controller != null) controller.close();
    }

    /** DROVER_HOME in its own temp dir, the controller URL, and a key when given. */
    static Map<String, String> env(String home, String key) {
        Map<String, String> e = new HashMap<>();
        e.put("DROVER_HOME", tmp.resolve(home).toString());
        e.put("DROVER_CONTROLLER", controller.baseUrl());
        if (key != null) e.put("DROVER_API_KEY", key);
        return e;
    }

    static CliRun ok(Map<String, String> env, String... args) {
        CliRun r = CliRun.of(env, args);
        assertThat(r.code()).as("drover %s: %s", String.join(" ", args), r.err()).isZero();
        return r;
    }

    static CliRun okIn(Map<String, String> env, String stdin, String... args) {
        CliRun r = CliRun.withStdin(env, stdin, args);
        assertThat(r.code()).as("drover %s: %s", String.join(" ", args), r.err()).isZero();
        return r;
    }

    static String submit(Map<String, String> env, String project) {
        return ok(env, "submit", repo.toString(), "--script", "train.py", "--project", project, "--queue", "no-agent-" + project).lastLine();
    }

    @Test
    void loginWithPasswordStdinWritesAPrivateConfigAndLogoutRevokesTheKey() throws Exception {
        Map<String, String> env = env("login-home", null);
        CliRun login = okIn(env, boot.password() + "\n", "login", "--username", "admin", "--password-stdin");
        assertThat(login.out()).contains("Logged in to " + controller.baseUrl() + " as admin").doesNotContain(boot.password());

        Path file = tmp.resolve("login-home").resolve("config.json");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).isEqualTo("rw-------");
        String key = ConfigFile.read(file).path("apiKey").asText();
        assertThat(key).matches("drk_[0-9a-f]{16}_[0-9a-f]{40}");
        assertThat(Files.readString(file)).doesNotContain(boot.password());
        assertThat(ok(env, "whoami").out()).startsWith("admin").contains("admin");

        // a second login replaces the first key instead of piling keys up
        okIn(env, boot.password() + "\n", "login", "--username", "admin", "--password-stdin");
        String second = ConfigFile.read(file).path("apiKey").asText();
        assertThat(second).isNotEqualTo(key);
        CliRun old = CliRun.of(env(" unused-home", key), "whoami");
        assertThat(old.code()).isEqualTo(ExitCodes.ERROR);

        CliRun out = ok(env, "logout");
        assertThat(out.out()).contains("revoked API key");
        assertThat(ConfigFile.read(file).has("apiKey")).isFalse();
        CliRun after = CliRun.of(env, "whoami");
        assertThat(after.code()).isEqualTo(ExitCodes.ERROR);
        assertThat(after.err().strip()).isEqualTo("error: " + DroverCli.NOT_LOGGED_IN);
        CliRun revoked = CliRun.of(env(" unused-home", second), "ls");
        assertThat(revoked.err().strip()).isEqualTo("error: " + DroverCli.NOT_LOGGED_IN);
    }

    @Test
    void aWrongPasswordIsOneErrorLineAndWritesNothing() {
        Map<String, String> env = env("wrong-home", null);
        CliRun r = CliRun.withStdin(env, "not-the-password\n", "login", "--username", "admin", "--password-stdin");
        assertThat(r.code()).isEqualTo(ExitCodes.ERROR);
        assertThat(r.err()).startsWith("error: login failed: ").doesNotContain("Exception");
        assertThat(tmp.resolve("wrong-home").resolve("config.json")).doesNotExist();
        CliRun noTerminal = CliRun.of(env, "login", "--username", "admin");
        assertThat(noTerminal.code()).isEqualTo(ExitCodes.ERROR);
        assertThat(noTerminal.err()).contains("--password-stdin");
    }

    @Test
    void withoutCredentialsCommandsSayHowToLogIn() {
        CliRun r = CliRun.of(env("anon-home", null), "ls");
        assertThat(r.code()).isEqualTo(ExitCodes.ERROR);
        assertThat(r.err().strip()).isEqualTo("error: " + DroverCli.NOT_LOGGED_IN);
    }

    @Test
    void usersAddPrintsAGeneratedPasswordOnceThatLogsIn() {
        CliRun add = ok(admin, "users", "add", "carol", "--display-name", "Carol C");
        String password = add.outLines().stream().filter(l -> l.startsWith("password: ")).findFirst().orElseThrow()
                .substring("password: ".length());
        assertThat(password).hasSizeGreaterThanOrEqualTo(12);
        assertThat(add.err()).contains("shown only now");

        CliRun list = ok(admin, "users", "list");
        assertThat(list.out()).contains("carol").contains("Carol C").doesNotContain(password);
        JsonNode users = Json.parse(ok(admin, "users", "list", "--json").out()).path("items");
        assertThat(users).anySatisfy(u -> assertThat(u.path("username").asText()).isEqualTo("carol"));

        Map<String, String> carol = env("carol-home", null);
        okIn(carol, password + "\n", "login", "--username", "carol", "--password-stdin");
        assertThat(ok(carol, "whoami").out()).startsWith("carol (Carol C)").doesNotContain(", admin");
        // carol is no admin: the admin commands are refused with the server's reason
        CliRun denied = CliRun.of(carol, "users", "list");
        assertThat(denied.code()).isEqualTo(ExitCodes.ERROR);
        assertThat(denied.err()).startsWith("error: ").doesNotContain(DroverCli.NOT_LOGGED_IN);

        ok(admin, "users", "set", "carol", "--disable");
        CliRun disabled = CliRun.of(carol, "whoami");
        assertThat(disabled.code()).as("a disabled user's key stops working").isEqualTo(ExitCodes.ERROR);
        ok(admin, "users", "set", "carol", "--enable");
        assertThat(CliRun.of(admin, "users", "set", "carol").code()).isEqualTo(ExitCodes.USAGE);
    }

    @Test
    void keysCreateListRevokeAndARevokedKeyFailsWithTheLoginMessage() {
        CliRun created = ok(admin, "keys", "create", "--name", "ci-test");
        String key = created.lastLine();
        assertThat(key).matches("drk_[0-9a-f]{16}_[0-9a-f]{40}");
        assertThat(created.err()).contains("shown only once");
        String id = key.substring(4, 20);

        CliRun list = ok(admin, "keys", "list");
        assertThat(list.out()).contains(id).contains("ci-test").doesNotContain(key);
        Map<String, String> ci = env("ci-home", key);
        assertThat(ok(ci, "whoami").out()).startsWith("admin");

        assertThat(ok(admin, "keys", "revoke", id).out()).contains("Revoked key " + id);
        CliRun after = CliRun.of(ci, "whoami");
        assertThat(after.code()).isEqualTo(ExitCodes.ERROR);
        assertThat(after.err().strip()).isEqualTo("error: " + DroverCli.NOT_LOGGED_IN);
        JsonNode keys = Json.parse(ok(admin, "keys", "list", "--json").out()).path("items");
        assertThat(keys).anySatisfy(k -> {
            assertThat(k.path("id").asText()).isEqualTo(id);
            assertThat(k.path("revoked").asBoolean()).isTrue();
        });
        assertThat(CliRun.of(admin, "keys", "revoke", "nonsense").code()).isEqualTo(ExitCodes.USAGE);
    }

    @Test
    void secretsSetListDeleteNeverShowTheValue() {
        submit(admin, "p-secrets"); // creates the project, the admin is its owner
        String value = "s3cr3t-" + System.nanoTime();
        CliRun set = okIn(admin, value + "\n", "secrets", "set", "API_TOKEN", "--project", "p-secrets", "--value-stdin");
        assertThat(set.out()).contains("API_TOKEN").doesNotContain(value);

        CliRun list = ok(admin, "secrets", "list", "--project", "p-secrets");
        assertThat(list.out()).contains("API_TOKEN").doesNotContain(value);
        assertThat(ok(admin, "secrets", "list", "--project", "p-secrets", "--json").out()).doesNotContain(value);

        CliRun argValue = CliRun.of(admin, "secrets", "set", "OTHER", "--project", "p-secrets", "--value", "x-visible");
        assertThat(argValue.code()).as(argValue.err()).isZero();
        assertThat(argValue.err()).contains("warning").contains("shell history");

        assertThat(CliRun.of(admin, "secrets", "set", "lower-case", "--project", "p-secrets", "--value-stdin").code())
                .isEqualTo(ExitCodes.USAGE);
        CliRun noTerminal = CliRun.of(admin, "secrets", "set", "X", "--project", "p-secrets");
        assertThat(noTerminal.code()).isEqualTo(ExitCodes.ERROR);
        assertThat(noTerminal.err()).contains("--value-stdin");

        ok(admin, "secrets", "delete", "API_TOKEN", "--project", "p-secrets");
        assertThat(ok(admin, "secrets", "list", "--project", "p-secrets").out()).doesNotContain("API_TOKEN").contains("OTHER");
    }

    @Test
    void aViewerCanReadButCannotEnqueueOrReadSecrets() {
        String task = submit(admin, "p-viewer");
        okIn(admin, "a-long-password-for-dave\n", "users", "add", "dave", "--password-stdin");
        assertThat(ok(admin, "grant", "dave", "viewer", "--project", "p-viewer").out()).contains("viewer");
        String daveKey = ok(admin, "keys", "create", "--user", "dave", "--name", "dave-cli").lastLine();
        Map<String, String> dave = env("dave-home", daveKey);

        assertThat(ok(dave, "whoami").out()).contains("p-viewer=viewer");
        assertThat(ok(dave, "show", task).out()).contains(task);
        assertThat(ok(dave, "ls", "--project", "p-viewer").out()).contains(task);

        CliRun clone = CliRun.of(dave, "clone", task);
        assertThat(clone.code()).isEqualTo(ExitCodes.ERROR);
        assertThat(clone.err()).startsWith("error: ").contains("viewer").doesNotContain(DroverCli.NOT_LOGGED_IN);
        CliRun secrets = CliRun.of(dave, "secrets", "list", "--project", "p-viewer");
        assertThat(secrets.code()).isEqualTo(ExitCodes.ERROR);
        assertThat(secrets.err()).startsWith("error: ").contains("viewer");
        CliRun setSecret = CliRun.withStdin(dave, "x\n", "secrets", "set", "X", "--project", "p-viewer", "--value-stdin");
        assertThat(setSecret.code()).as(setSecret.out() + setSecret.err()).isEqualTo(ExitCodes.ERROR);

        // a project dave has no role in is invisible to him
        String other = submit(admin, "p-hidden");
        assertThat(ok(dave, "ls").out()).contains(task).doesNotContain(other);

        ok(admin, "revoke", "dave", "--project", "p-viewer");
        assertThat(CliRun.of(dave, "show", task).code()).isEqualTo(ExitCodes.ERROR);
    }

    @Test
    void auditShowsLoginsAndKeyChanges() {
        ok(admin, "keys", "create", "--name", "for-audit");
        CliRun a = ok(admin, "audit", "--limit", "20");
        assertThat(a.outLines().get(0)).contains("ACTOR", "ACTION");
        assertThat(a.out()).contains("admin");
        JsonNode items = Json.parse(ok(admin, "audit", "--json").out()).path("items");
        assertThat(items).isNotEmpty();
    }
}

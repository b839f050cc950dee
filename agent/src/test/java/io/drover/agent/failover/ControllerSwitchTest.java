package io.drover.agent.failover;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.drover.agent.cli.DroverCli;
import io.drover.agent.cli.git.TestRepos;
import io.drover.agent.config.ClientConfig;
import io.drover.agent.config.ConfigFile;
import io.drover.shared.domain.DroverException;
import io.drover.shared.json.Json;
import java.io.ByteArrayInputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Switching controllers, with two plain controllers over one store: a browser session made on
 * one works on the other (sessions live in the store), and every CLI command takes several URLs
 * (flag, DROVER_CONTROLLER, config file), skipping one that is down without doing anything twice.
 */
class ControllerSwitchTest {
    @TempDir
    static Path tmp;

    static TwoControllers rig;
    static Path repo;
    static String dead;

    @BeforeAll
    static void start() throws Exception {
        rig = new TwoControllers(tmp);
        repo = tmp.resolve("cli-repo");
        TestRepos.init(repo, "train.py", "print('hello')\n").close();
        try (ServerSocket s = new ServerSocket(0)) {
            dead = "http://127.0.0.1:" + s.getLocalPort(); // nothing listens there: connection refused
        }
    }

    @AfterAll
    static void stop() {
        if (rig != null) rig.close();
    }

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private HttpResponse<String> send(String base, String method, String path, String body, Map<String, String> headers) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(30))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        if (body != null) b.header("Content-Type", "application/json");
        headers.forEach(b::header);
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void browserSessionMadeOnOneControllerWorksOnTheOther() throws Exception {
        String a = rig.a.baseUrl();
        String b = rig.b.baseUrl();
        HttpResponse<String> login = send(a, "POST", "/api/v1/auth/login",
                Json.write(Map.of("username", rig.boot.username(), "password", rig.boot.password())), Map.of());
        assertThat(login.statusCode()).as(login.body()).isEqualTo(200);
        String cookie = login.headers().allValues("Set-Cookie").stream().map(c -> c.split(";", 2)[0].strip())
                .filter(c -> c.startsWith("drover_session=")).findFirst().orElseThrow();
        String csrf = Json.parse(login.body()).path("csrfToken").asText();
        assertThat(csrf).isNotBlank();

        // the same cookie on the other node: same user, and writes with the CSRF header are allowed
        HttpResponse<String> me = send(b, "GET", "/api/v1/auth/me", null, Map.of("Cookie", cookie));
        assertThat(me.statusCode()).as(me.body()).isEqualTo(200);
        assertThat(me.body()).contains(rig.boot.username());
        HttpResponse<String> key = send(b, "POST", "/api/v1/keys", Json.write(Map.of("name", "from-b")),
                Map.of("Cookie", cookie, "X-CSRF-Token", csrf));
        assertThat(key.statusCode()).as(key.body()).isEqualTo(201);
        // ... and the CSRF check holds there too
        HttpResponse<String> noCsrf = send(b, "POST", "/api/v1/keys", Json.write(Map.of("name", "no-csrf")), Map.of("Cookie", cookie));
        assertThat(noCsrf.statusCode()).as(noCsrf.body()).isEqualTo(403);

        // logging out on B ends the session on A as well
        HttpResponse<String> out = send(b, "POST", "/api/v1/auth/logout", null, Map.of("Cookie", cookie, "X-CSRF-Token", csrf));
        assertThat(out.statusCode()).as(out.body()).isLessThan(300);
        assertThat(send(a, "GET", "/api/v1/auth/me", null, Map.of("Cookie", cookie)).statusCode()).isEqualTo(401);
    }

    /** One in-process {@code drover} run. */
    private record Run(int code, String out, String err) {}

    private static Run drover(Map<String, String> env, String stdin, String... args) {
        StringWriter o = new StringWriter();
        StringWriter e = new StringWriter();
        int code = DroverCli.run(args, env, new ByteArrayInputStream(stdin.getBytes(StandardCharsets.UTF_8)),
                new PrintWriter(o, true), new PrintWriter(e, true));
        return new Run(code, o.toString(), e.toString());
    }

    private static Map<String, String> env(String home, String controllers) {
        Map<String, String> e = new HashMap<>();
        e.put("DROVER_HOME", tmp.resolve(home).toString());
        if (controllers != null) e.put("DROVER_CONTROLLER", controllers);
        e.put("DROVER_API_KEY", rig.boot.adminKey());
        return e;
    }

    @Test
    void cliCommandsSkipADeadControllerAndSubmitOnce() throws Exception {
        String list = dead + "," + rig.b.baseUrl();
        // DROVER_CONTROLLER with a list
        Map<String, String> env = env("cli-env", list);
        Run submit = drover(env, "", "submit", repo.toString(), "--script", "train.py", "--project", "switch", "--queue", "switch-q");
        assertThat(submit.code()).as(submit.err()).isZero();
        String id = submit.out().strip().lines().reduce((x, y) -> y).orElseThrow();
        // asked of B, which created it (a plain controller's task list does not see the other's new tasks)
        JsonNode page = new io.drover.shared.client.ApiClient(rig.b.baseUrl(), rig.boot.adminKey()).get("/api/v1/tasks?project=switch");
        assertThat(page.path("items")).as("one task, not one per node tried").hasSize(1);
        assertThat(page.path("items").get(0).path("id").asText()).isEqualTo(id);

        // --controller with a list (after and before the sub-command)
        Run ls = drover(env("cli-flag", null), "", "ls", "--project", "switch", "--controller", dead + ", " + rig.b.baseUrl() + "/");
        assertThat(ls.code()).as(ls.err()).isZero();
        assertThat(ls.out()).contains(id.substring(0, 8));
        Run show = drover(env("cli-flag", null), "", "--controller", list, "show", id);
        assertThat(show.code()).as(show.err()).isZero();

        // the config file's "controller" with a list
        Path home = tmp.resolve("cli-file");
        Files.createDirectories(home);
        Files.writeString(home.resolve("config.json"), Json.write(Map.of("controller", list, "apiKey", rig.boot.adminKey())));
        Map<String, String> fileEnv = new HashMap<>(Map.of("DROVER_HOME", home.toString()));
        Run queues = drover(fileEnv, "", "ls", "--project", "switch");
        assertThat(queues.code()).as(queues.err()).isZero();
        assertThat(queues.out()).contains(id.substring(0, 8));
    }

    @Test
    void loginThroughAListKeepsTheListAndItsKeyWorksOnBothControllers() throws Exception {
        Map<String, String> env = new HashMap<>(Map.of("DROVER_HOME", tmp.resolve("cli-login").toString(),
                "DROVER_CONTROLLER", dead + "," + rig.a.baseUrl() + "," + rig.b.baseUrl()));
        Run login = drover(env, rig.boot.password() + "\n", "login", "--username", rig.boot.username(), "--password-stdin");
        assertThat(login.code()).as(login.err()).isZero();
        JsonNode cfg = ConfigFile.read(tmp.resolve("cli-login").resolve("config.json"));
        assertThat(cfg.path("controller").asText()).isEqualTo(dead + "," + rig.a.baseUrl() + "," + rig.b.baseUrl());
        env.remove("DROVER_CONTROLLER");
        Run whoami = drover(env, "", "whoami");
        assertThat(whoami.code()).as(whoami.err()).isZero();
        Run onB = drover(env, "", "--controller", rig.b.baseUrl(), "whoami");
        assertThat(onB.code()).as(onB.err()).isZero();
        assertThat(onB.out()).startsWith(rig.boot.username());
    }

    @Test
    void everyControllerDownIsOneErrorNamingThemAll() throws Exception {
        String other;
        try (ServerSocket s = new ServerSocket(0)) {
            other = "http://127.0.0.1:" + s.getLocalPort();
        }
        Run r = drover(env("cli-down", dead + "," + other), "", "ls");
        assertThat(r.code()).isNotZero();
        assertThat(r.err()).contains("no controller reachable").contains(dead + " (connection refused)")
                .contains(other + " (connection refused)");

        Map<String, String> bad = env("cli-bad", rig.b.baseUrl() + ",localhost:8080");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> ClientConfig.controller(null, bad))
                .isInstanceOf(DroverException.class).hasMessageContaining("'localhost:8080'").hasMessageContaining("DROVER_CONTROLLER");
        Run wrong = drover(bad, "", "ls");
        assertThat(wrong.code()).isNotZero();
        assertThat(wrong.err()).contains("localhost:8080").contains("http://");
    }
}

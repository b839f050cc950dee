package io.drover.agent.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpServer;
import io.drover.agent.Agent;
import io.drover.agent.AgentConfig;
import io.drover.controller.Controller;
import io.drover.controller.auth.Bootstrap;
import io.drover.controller.config.ControllerConfig;
import io.drover.shared.client.ApiClient;
import io.drover.shared.json.Json;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.eclipse.jgit.api.Git;
import org.eclipse.jgit.lib.PersonIdent;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Secrets end to end, auth on: a real controller in-process and a real agent. A project secret
 * reaches the task process as an environment variable but shows as {@code ***} in its logs and
 * its failure reason; a project's GIT_TOKEN clones a private repository served over (dumb) HTTP
 * with Basic auth, and a project without it fails with a reason that says what to do.
 */
class SecretsEndToEndTest {
    static final String API_TOKEN = "sk-live-7c1f0e9a2b-top";
    static final String GIT_TOKEN = "ghp_d3adb33f-private-token";

    @TempDir
    static Path tmp;

    static Controller controller;
    static ApiClient api;
    static Bootstrap.Result boot;
    static Agent agent;
    static Path localRepo;
    static HttpServer git;
    static String privateUrl;
    /** Authorization headers the git server saw (to prove the token went as Basic auth, not in the URL). */
    static final List<String> gitAuth = new CopyOnWriteArrayList<>();
    static final List<String> gitPaths = new CopyOnWriteArrayList<>();

    static final String PRINT = """
            import argparse, hashlib, os, sys
            p = argparse.ArgumentParser()
            p.add_argument("--token", default=os.environ["API_TOKEN"])
            p.add_argument("code", nargs="?", type=int, default=0)
            a = p.parse_args()
            v = os.environ["API_TOKEN"]
            print("token:", v)
            print("twice %s and %s!" % (v, v))
            print("len=%d sha=%s" % (len(v), hashlib.sha256(v.encode()).hexdigest()))
            print("err " + v, file=sys.stderr)
            sys.exit(a.code)
            """;

    @BeforeAll
    static void start() throws Exception {
        controller = Controller.start(ControllerConfig.defaults().withPort(0).withDataDir(tmp.resolve("data"))
                .withHeartbeat(Duration.ofSeconds(1)).withLease(Duration.ofSeconds(10)));
        boot = controller.bootstrap();
        api = new ApiClient(controller.baseUrl(), boot.adminKey());

        localRepo = tmp.resolve("repo");
        try (Git g = Git.init().setDirectory(localRepo.toFile()).setInitialBranch("main").call()) {
            Files.writeString(localRepo.resolve("print_secret.py"), PRINT);
            Files.writeString(localRepo.resolve("hello.py"), "print('private code ran')\n");
            g.add().addFilepattern(".").call();
            PersonIdent who = new PersonIdent("t", "t@example.com");
            g.commit().setMessage("init").setAuthor(who).setCommitter(who).call();
        }
        privateUrl = servePrivate(localRepo);

        for (String p : List.of("sec", "priv", "nogit")) api.post("/api/v1/projects", Json.object().put("name", p));
        api.put("/api/v1/projects/sec/secrets/API_TOKEN", Json.object().put("value", API_TOKEN));
        api.put("/api/v1/projects/priv/secrets/GIT_TOKEN", Json.object().put("value", GIT_TOKEN));

        agent = Agent.start(AgentConfig.of(controller.baseUrl(), tmp.resolve("agent")).withName("sec-agent")
                .withQueues(List.of("default")).withGrace(Duration.ofSeconds(2)).withApiKey(boot.agentKey()));
        assertThat(agent.awaitRegistered(Duration.ofSeconds(20))).isTrue();
    }

    /** A bare clone served as static files (git's dumb HTTP protocol) that needs Basic auth with the token. */
    static String servePrivate(Path src) throws Exception {
        Path bare = tmp.resolve("served/private.git");
        Git.cloneRepository().setURI(src.toUri().toString()).setDirectory(bare.toFile()).setBare(true).call().close();
        Process p = new ProcessBuilder("git", "update-server-info").directory(bare.toFile()).redirectErrorStream(true).start();
        assertThat(p.waitFor(30, TimeUnit.SECONDS) && p.exitValue() == 0).as("git update-server-info").isTrue();
        git = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        String expected = "Basic " + Base64.getEncoder().encodeToString(("x-access-token:" + GIT_TOKEN).getBytes(StandardCharsets.UTF_8));
        git.createContext("/private.git/", ex -> {
            String auth = ex.getRequestHeaders().getFirst("Authorization");
            gitPaths.add(ex.getRequestURI().toString());
            if (auth != null) gitAuth.add(auth);
            try (ex) {
                if (!expected.equals(auth)) {
                    ex.getResponseHeaders().add("WWW-Authenticate", "Basic realm=\"private\"");
                    ex.sendResponseHeaders(401, -1);
                    return;
                }
                Path f = bare.resolve(ex.getRequestURI().getPath().substring("/private.git/".length())).normalize();
                if (!f.startsWith(bare) || !Files.isRegularFile(f)) {
                    ex.sendResponseHeaders(404, -1);
                    return;
                }
                byte[] body = Files.readAllBytes(f);
                ex.getResponseHeaders().add("Content-Type", "application/octet-stream");
                ex.sendResponseHeaders(200, body.length);
                try (OutputStream o = ex.getResponseBody()) {
                    o.write(body);
                }
            } catch (IOException e) {
                // client went away
            }
        });
        git.start();
        return "http://127.0.0.1:" + git.getAddress().getPort() + "/private.git";
    }

    @AfterAll
    static void stop() throws Exception {
        if (agent != null) agent.close();
        if (controller != null) controller.close();
        if (git != null) git.stop(0);
    }

    static String create(String project, String repo, String entry, String args) {
        ObjectNode body = Json.object().put("name", entry).put("project", project).put("queue", "default").put("enqueue", true);
        ObjectNode script = body.putObject("script").put("repo", repo).put("branch", "main").put("entryPoint", entry);
        if (args != null) script.put("args", args);
        return api.post("/api/v1/tasks", body).orElseThrow().path("id").asText();
    }

    static JsonNode awaitFinal(String id) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
        JsonNode t = api.get("/api/v1/tasks/" + id);
        while (!List.of("completed", "failed", "aborted").contains(t.path("status").asText()) && System.nanoTime() < deadline) {
            Thread.sleep(100);
            t = api.get("/api/v1/tasks/" + id);
        }
        return t;
    }

    static List<String> logs(String id) {
        List<String> out = new ArrayList<>();
        api.get("/api/v1/tasks/" + id + "/logs?limit=1000").path("lines").forEach(l -> out.add(l.path("text").asText()));
        return out;
    }

    static String sha256(String s) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8)));
    }

    @Test
    void aSecretReachesTheTaskButShowsAsStarsInItsLogs() throws Exception {
        String id = create("sec", localRepo.toString(), "print_secret.py", null);
        JsonNode t = awaitFinal(id);
        List<String> lines = logs(id);
        assertThat(t.path("status").asText()).as(String.join("\n", lines)).isEqualTo("completed");
        // the process really had the value ...
        assertThat(lines).contains("len=" + API_TOKEN.length() + " sha=" + sha256(API_TOKEN));
        // ... and the logs never do, however often it appears in a line
        assertThat(lines).contains("token: ***", "twice *** and ***!", "err ***");
        assertThat(lines).noneMatch(l -> l.contains(API_TOKEN));
        // an argparse default read from the secret is captured as a param, masked
        JsonNode after = api.get("/api/v1/tasks/" + id);
        assertThat(after.path("params").path("token").asText()).isEqualTo("***");
        assertThat(after.toString()).doesNotContain(API_TOKEN);
    }

    @Test
    void aFailureReasonWithTheSecretIsMaskedToo() throws Exception {
        String id = create("sec", localRepo.toString(), "print_secret.py", "3");
        JsonNode t = awaitFinal(id);
        assertThat(t.path("status").asText()).isEqualTo("failed");
        // the reason carries the stderr tail, which printed the value
        assertThat(t.path("statusReason").asText()).contains("exit code 3").contains("err ***").doesNotContain(API_TOKEN);
    }

    @Test
    void secretsArePerProject() throws Exception {
        String id = create("nogit", localRepo.toString(), "print_secret.py", null);
        JsonNode t = awaitFinal(id);
        assertThat(t.path("status").asText()).isEqualTo("failed");
        assertThat(String.join("\n", logs(id))).contains("KeyError: 'API_TOKEN'");
    }

    @Test
    void gitTokenClonesAPrivateRepositoryOverHttp() throws Exception {
        String id = create("priv", privateUrl, "hello.py", null);
        JsonNode t = awaitFinal(id);
        List<String> lines = logs(id);
        assertThat(t.path("status").asText()).as(String.join("\n", lines)).isEqualTo("completed");
        assertThat(lines).contains("private code ran");
        assertThat(gitAuth).isNotEmpty();
        assertThat(gitPaths).noneMatch(p -> p.contains(GIT_TOKEN));
        assertThat(lines).noneMatch(l -> l.contains(GIT_TOKEN));
        // the token is in no file the agent keeps (mirror config, slot checkouts)
        try (Stream<Path> files = Files.walk(tmp.resolve("agent"))) {
            for (Path f : files.filter(Files::isRegularFile).filter(f -> f.getFileName().toString().equals("config")).toList()) {
                assertThat(Files.readString(f)).as(f.toString()).doesNotContain(GIT_TOKEN).doesNotContain("x-access-token");
            }
        }
    }

    @Test
    void withoutTheTokenThePrivateCloneFailsWithAClearReason() throws Exception {
        String id = create("nogit", privateUrl, "hello.py", null);
        JsonNode t = awaitFinal(id);
        assertThat(t.path("status").asText()).isEqualTo("failed");
        String reason = t.path("statusReason").asText();
        assertThat(reason).contains("cannot clone repo " + privateUrl).contains("GIT_TOKEN").contains("needs credentials");
        assertThat(logs(id)).noneMatch(l -> l.contains("private code ran"));
    }
}

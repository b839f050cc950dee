package io.drover.agent.install;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.drover.controller.Controller;
import io.drover.controller.auth.Bootstrap;
import io.drover.controller.config.ControllerConfig;
import io.drover.controller.config.InstallConfig;
import io.drover.shared.client.ApiClient;
import java.io.IOException;
import java.io.OutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.jar.Attributes;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The one-line install of an agent on a GPU box: {@code /install/agent.sh} served by a real
 * controller, run by a real bash against a real bundle. The bundle here is built like
 * {@code scripts/build-agent-bundle.sh} builds it, except that its runtime is a link to this JVM
 * and its agent jar a manifest pointing at the test classpath (jlink takes ~10 s and the shaded
 * jar does not exist yet during {@code mvn verify}); the launcher is the real one. Installed in a
 * temp prefix as a background service (no systemd here).
 */
class InstallScriptTest {
    @TempDir
    static Path tmp;
    static Controller controller;
    static Bootstrap.Result boot;
    static ApiClient admin;
    static final HttpClient http = HttpClient.newHttpClient();

    @BeforeAll
    static void start() throws Exception {
        Path bundle = buildTestBundle(tmp.resolve("bundle"));
        controller = Controller.start(ControllerConfig.defaults().withPort(0).withDataDir(tmp.resolve("data"))
                .withHeartbeat(Duration.ofSeconds(1)).withLease(Duration.ofSeconds(10))
                .withInstall(new InstallConfig(bundle, null)));
        boot = controller.bootstrap();
        admin = new ApiClient(controller.baseUrl(), boot.adminKey());
    }

    @AfterAll
    static void stop() throws Exception {
        if (controller != null) controller.close();
    }

    @Test
    void theScriptInstallsAnAgentThatRegistersAndUninstallRemovesIt() throws Exception {
        Path script = download("/install/agent.sh");
        String text = Files.readString(script);
        assertThat(text).contains("CONTROLLER=\"" + controller.baseUrl() + "\"").containsPattern("BUNDLE_SHA256=\"[0-9a-f]{64}\"");
        Path prefix = tmp.resolve("opt/drover-agent");

        Run r = bash(script, "--prefix", prefix.toString(), "--service", "background", "--queue", "gpu",
                "--name", "installed-1", "--token", boot.agentKey());
        assertThat(r.code).as(r.out).isZero();
        assertThat(r.out).contains("installed in " + prefix).contains("started in the background");
        try {
            JsonNode w = awaitWorker("installed-1");
            assertThat(w.path("online").asBoolean()).isTrue();
            assertThat(w.path("queues").toString()).contains("gpu");
            // the key is only in a 0600 file, never on the agent's command line
            Path env = prefix.resolve("agent.env");
            assertThat(Files.getPosixFilePermissions(env)).containsExactlyInAnyOrder(PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE);
            long pid = Long.parseLong(Files.readString(prefix.resolve("run/agent.pid")).strip());
            String cmdline = Files.readString(Path.of("/proc/" + pid + "/cmdline")).replace('\0', ' ');
            assertThat(cmdline).contains("agent").doesNotContain(boot.agentKey());
        } finally {
            Run u = bash(script, "--uninstall", "--prefix", prefix.toString());
            assertThat(u.code).as(u.out).isZero();
        }
        assertThat(prefix).doesNotExist();
    }

    @Test
    void badInputGetsAClearErrorAndInstallsNothing() throws Exception {
        Path script = download("/install/agent.sh");
        Path prefix = tmp.resolve("opt/never");
        Run noToken = bash(script, "--prefix", prefix.toString(), "--service", "background");
        assertThat(noToken.code).isEqualTo(1);
        assertThat(noToken.out).contains("--token is required").contains("drover keys create --worker");
        Run badToken = bash(script, "--prefix", prefix.toString(), "--service", "background", "--token", "secret");
        assertThat(badToken.out).contains("does not look like a Drover key");
        Run unknown = bash(script, "--frobnicate");
        assertThat(unknown.out).contains("unknown option '--frobnicate'");
        Run relative = bash(script, "--prefix", "opt", "--token", boot.agentKey());
        assertThat(relative.out).contains("--prefix must be an absolute path");
        assertThat(prefix).doesNotExist();
    }

    @Test
    void theBundleIsServedWithItsDigestAndAHostileHostHeaderIsRefused() throws Exception {
        HttpResponse<byte[]> b = http.send(HttpRequest.newBuilder(URI.create(controller.baseUrl() + "/install/drover-agent-linux-x64.tar.gz")).build(),
                HttpResponse.BodyHandlers.ofByteArray());
        assertThat(b.statusCode()).isEqualTo(200);
        assertThat(b.headers().firstValue("X-Drover-Sha256").orElse("")).matches("[0-9a-f]{64}");
        assertThat(b.body().length).isGreaterThan(100);
        // the request's Host goes into shell code: anything but host[:port] is refused
        try (var s = new java.net.Socket("127.0.0.1", URI.create(controller.baseUrl()).getPort())) {
            s.getOutputStream().write("GET /install/agent.sh HTTP/1.1\r\nHost: x$(touch${IFS}/tmp/pwned)\r\nConnection: close\r\n\r\n"
                    .getBytes(StandardCharsets.ISO_8859_1));
            String resp = new String(s.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(resp).startsWith("HTTP/1.1 400").doesNotContain("$(touch");
        }
    }

    @Test
    void aControllerWithoutABundleSaysHowToProvideOne() throws Exception {
        try (Controller bare = Controller.start(ControllerConfig.defaults().withPort(0).withDataDir(tmp.resolve("bare")))) {
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(bare.baseUrl() + "/install/drover-agent-linux-x64.tar.gz")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(r.statusCode()).isEqualTo(404);
            assertThat(r.body()).contains("--agent-bundle");
            Path script = tmp.resolve("bare-agent.sh");
            Files.writeString(script, http.send(HttpRequest.newBuilder(URI.create(bare.baseUrl() + "/install/agent.sh")).build(),
                    HttpResponse.BodyHandlers.ofString()).body());
            Run run = bash(script, "--prefix", tmp.resolve("opt/bare").toString(), "--service", "background", "--token", boot.agentKey());
            assertThat(run.code).isEqualTo(1);
            assertThat(run.out).contains("has no agent bundle to serve").contains("--agent-bundle");
        }
    }

    // ------------------------------------------------------------------ helpers

    record Run(int code, String out) {}

    static Run bash(Path script, String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of("bash", script.toString()));
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        Map<String, String> env = pb.environment();
        env.keySet().removeIf(k -> k.startsWith("DROVER_"));
        Process p = pb.start();
        p.getOutputStream().close();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(120, TimeUnit.SECONDS)).isTrue();
        return new Run(p.exitValue(), out);
    }

    static Path download(String path) throws Exception {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(controller.baseUrl() + path)).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.headers().firstValue("Content-Type").orElse("")).startsWith("text/x-shellscript");
        Path f = Files.createTempFile(tmp, "agent", ".sh");
        Files.writeString(f, r.body());
        return f;
    }

    static JsonNode awaitWorker(String name) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (System.nanoTime() < deadline) {
            for (JsonNode w : admin.get("/api/v1/workers").path("items")) {
                if (name.equals(w.path("name").asText()) && w.path("online").asBoolean()) return w;
            }
            Thread.sleep(200);
        }
        throw new AssertionError("worker " + name + " did not register within 60 s: " + admin.get("/api/v1/workers"));
    }

    /** drover-agent/{runtime -> this JVM, lib/drover-agent.jar (manifest → test classpath), bin/drover (the real launcher)}. */
    static Path buildTestBundle(Path dir) throws IOException, InterruptedException {
        Path root = dir.resolve("drover-agent");
        Files.createDirectories(root.resolve("lib"));
        Files.createDirectories(root.resolve("bin"));
        Files.createSymbolicLink(root.resolve("runtime"), Path.of(System.getProperty("java.home")));
        Manifest m = new Manifest();
        m.getMainAttributes().put(Attributes.Name.MANIFEST_VERSION, "1.0");
        m.getMainAttributes().put(Attributes.Name.MAIN_CLASS, "io.drover.agent.cli.DroverCli");
        StringBuilder cp = new StringBuilder();
        for (String e : System.getProperty("java.class.path").split(java.io.File.pathSeparator)) {
            if (e.isBlank()) continue;
            cp.append(Path.of(e).toAbsolutePath().toUri()).append(' ');
        }
        m.getMainAttributes().put(Attributes.Name.CLASS_PATH, cp.toString().strip());
        try (OutputStream out = Files.newOutputStream(root.resolve("lib/drover-agent.jar")); JarOutputStream jar = new JarOutputStream(out, m)) {
            // the manifest is the whole jar
        }
        Path launcher = Path.of("src/main/bundle/bin/drover").toAbsolutePath();
        Files.copy(launcher, root.resolve("bin/drover"));
        Files.setPosixFilePermissions(root.resolve("bin/drover"), Set.of(PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE,
                PosixFilePermission.OWNER_EXECUTE));
        Files.writeString(root.resolve("VERSION"), "test\n");
        Path tar = dir.resolve("drover-agent-linux-x64.tar.gz");
        Process p = new ProcessBuilder("tar", "-C", dir.toString(), "-czf", tar.toString(), "drover-agent").inheritIO().start();
        if (p.waitFor() != 0) throw new IOException("tar failed");
        return tar;
    }
}

package io.drover.agent.pyclient;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.drover.agent.Agent;
import io.drover.controller.Controller;
import io.drover.controller.auth.Bootstrap;
import io.drover.shared.client.ApiClient;
import io.drover.shared.json.Json;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.eclipse.jgit.api.Git;
import org.eclipse.jgit.lib.PersonIdent;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The {@code drover} Python client, run by a real python3 against a real controller (auth on):
 * inside a real agent run, on a "laptop" (no agent, a user key in the environment), and as served
 * by the controller's download routes (single file and a wheel that pip installs offline).
 */
class PythonClientEndToEndTest {
    @TempDir
    static Path tmp;
    static ClientStack stack;

    static Controller controller;
    static ApiClient admin;
    static Bootstrap.Result boot;
    static Agent agent;
    static Path repo;
    static String userKey;
    static final HttpClient http = HttpClient.newHttpClient();

    static final String TRACK = """
            import json, sys
            import drover
            import argparse   # after drover: the agent's argparse hook must still apply the task's params
            ap = argparse.ArgumentParser()
            ap.add_argument("--seed", type=int, default=1)
            print("seed", repr(ap.parse_args().seed))
            d = drover.init()
            cfg = d.connect({"lr": 0.1, "epochs": 3, "fast": False, "name": "a", "layers": [1, 2]})
            print("cfg " + json.dumps(cfg, sort_keys=True))
            print("types " + " ".join(type(cfg[k]).__name__ for k in sorted(cfg)))
            for i in range(5):
                d.log_scalar("loss", 1.0 / (i + 1), iter=i)
            d.log_metrics({"acc/val": 0.9}, step=4)
            d.log_scalar("bad", float("nan"))
            with open("model.txt", "w") as f:
                f.write("weights")
            print("artifact", d.upload_artifact("model.txt", name="out/model.txt"))
            d.close()
            print("done", d.id)
            """;

    @BeforeAll
    static void start() throws Exception {
        stack = ClientStack.start(tmp, "py-agent");
        controller = stack.controller;
        admin = stack.admin;
        userKey = stack.userKey;
        agent = stack.agent;
        boot = stack.boot;

        repo = tmp.resolve("repo");
        try (Git g = Git.init().setDirectory(repo.toFile()).setInitialBranch("main").call()) {
            Files.writeString(repo.resolve("track.py"), TRACK);
            g.add().addFilepattern(".").call();
            PersonIdent who = new PersonIdent("t", "t@example.com");
            g.commit().setMessage("init").setAuthor(who).setCommitter(who).call();
        }
    }

    @AfterAll
    static void stop() throws Exception {
        if (stack != null) stack.close();
    }

    static JsonNode awaitFinal(String id) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
        JsonNode t = admin.get("/api/v1/tasks/" + id);
        while (!List.of("completed", "failed", "aborted").contains(t.path("status").asText()) && System.nanoTime() < deadline) {
            Thread.sleep(100);
            t = admin.get("/api/v1/tasks/" + id);
        }
        return t;
    }

    static List<String> logs(String id) {
        List<String> out = new ArrayList<>();
        admin.get("/api/v1/tasks/" + id + "/logs?limit=1000").path("lines").forEach(l -> out.add(l.path("text").asText()));
        return out;
    }

    static HttpResponse<byte[]> get(String path, String key) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(controller.baseUrl() + path)).timeout(Duration.ofSeconds(20));
        if (key != null) b.header("Authorization", "Bearer " + key);
        return http.send(b.build(), HttpResponse.BodyHandlers.ofByteArray());
    }

    /** {@code "metric/variant" → [iter=value …]} of a task's raw points, as the scalars API returns them. */
    static Map<String, List<String>> scalars(String id) {
        Map<String, List<String>> out = new java.util.TreeMap<>();
        for (JsonNode s : admin.get("/api/v1/tasks/" + id + "/scalars").path("items")) {
            String m = s.path("metric").asText(), v = s.path("variant").asText();
            List<String> pts = new ArrayList<>();
            admin.get("/api/v1/tasks/" + id + "/scalars/" + ApiClient.enc(m) + "?raw=true&variant=" + ApiClient.enc(v)).path("points")
                    .forEach(p -> pts.add(p.path("iter").asLong() + "=" + p.path("value").asDouble()));
            out.put(m + "/" + v, pts);
        }
        return out;
    }

    static Proc python(Path cwd, Map<String, String> env, String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of("python3"));
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(cwd.toFile()).redirectErrorStream(true);
        pb.environment().keySet().removeIf(k -> k.startsWith("DROVER_"));
        pb.environment().put("DROVER_HOME", tmp.resolve("no-home").toString());
        pb.environment().putAll(env);
        Process p = pb.start();
        String out;
        try (InputStream in = p.getInputStream()) {
            out = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        assertThat(p.waitFor(120, TimeUnit.SECONDS)).as("python finished").isTrue();
        return new Proc(p.exitValue(), out);
    }

    record Proc(int code, String out) {}

    @Test
    void aScriptRunByTheAgentAttachesToItsTaskWithTypedOverridesAndAnArtifact() throws Exception {
        ObjectNode body = Json.object().put("name", "track").put("project", "py").put("enqueue", true);
        body.putObject("params").put("seed", "42").put("lr", "0.5").put("epochs", "7").put("fast", "true").put("layers", "[3, 4]");
        body.putObject("script").put("repo", repo.toString()).put("branch", "main").put("entryPoint", "track.py");
        String id = admin.post("/api/v1/tasks", body).orElseThrow().path("id").asText();
        JsonNode t = awaitFinal(id);
        List<String> lines = logs(id);
        String all = String.join("\n", lines);
        assertThat(t.path("status").asText()).as(all).isEqualTo("completed");
        // connect(): the task's params override the script's, converted to the original types
        assertThat(lines).contains("cfg {\"epochs\": 7, \"fast\": true, \"layers\": [3, 4], \"lr\": 0.5, \"name\": \"a\"}");
        assertThat(lines).contains("types int bool list float str", "seed 42");
        // attached to this task, not a new one
        assertThat(lines).contains("done " + id);
        assertThat(admin.get("/api/v1/tasks?project=py").path("total").asInt()).isEqualTo(1);
        // connected params reach the task through the agent (the value the task set wins)
        JsonNode after = admin.get("/api/v1/tasks/" + id);
        assertThat(after.path("params").path("name").asText()).isEqualTo("a");
        assertThat(after.path("params").path("lr").asText()).isEqualTo("0.5");
        // upload_artifact() inside a run: the agent uploads it at the end
        assertThat(lines).contains("artifact True");
        assertThat(after.path("artifacts").toString()).contains("out/model.txt");
        // the points, relayed by the agent with its lease (the process itself holds no key); NaN skipped
        assertThat(scalars(id)).isEqualTo(Map.of(
                "loss/", List.of("0=1.0", "1=0.5", "2=0.3333333333333333", "3=0.25", "4=0.2"),
                "acc/val", List.of("4=0.9")));
        assertThat(all).doesNotContain("[drover] scalar batch").doesNotContain("[drover] cannot");
    }

    @Test
    void aLaptopRunCreatesATaskWithItsGitStateAndLogsThroughTheUserRoute() throws Exception {
        Path work = tmp.resolve("laptop");
        Files.createDirectories(work.resolve("src"));
        String commit;
        try (Git g = Git.init().setDirectory(work.toFile()).setInitialBranch("dev").call()) {
            Files.writeString(work.resolve("src/train.py"), """
                    import argparse
                    import drover
                    ap = argparse.ArgumentParser()
                    ap.add_argument("--epochs", type=int, default=1)
                    ap.add_argument("--lr", type=float, default=0.01)
                    ap.parse_args()                           # before init: sent as the task's params
                    d = drover.init(project="laptop", name="local-train")
                    print("connected", d.connect({"lr": 0.1})["lr"])
                    for i in range(3):
                        d.log_scalar("loss", 1.0 - i / 10)
                    from tensorboardX import SummaryWriter   # imported after init: patched by the import hook
                    w = SummaryWriter()
                    w.add_scalar("tb/train", 0.7, 5)
                    print("tb kept", w.seen)
                    print("artifact", d.upload_artifact(__file__))
                    print("flushed", d.flush())
                    print("task", d.id)
                    """);
            // a stand-in for tensorboardX (same module layout, records what it was given)
            Files.createDirectories(work.resolve("src/tensorboardX"));
            Files.writeString(work.resolve("src/tensorboardX/__init__.py"), "from .writer import SummaryWriter\n");
            Files.writeString(work.resolve("src/tensorboardX/writer.py"), """
                    class SummaryWriter:
                        def __init__(self):
                            self.seen = []
                        def add_scalar(self, tag, scalar_value, global_step=None, walltime=None):
                            self.seen.append((tag, scalar_value, global_step))
                    """);
            g.add().addFilepattern(".").call();
            PersonIdent who = new PersonIdent("t", "t@example.com");
            commit = g.commit().setMessage("init").setAuthor(who).setCommitter(who).call().getName();
        }
        Files.writeString(work.resolve("src/train.py"), "\n# uncommitted\n", java.nio.file.StandardOpenOption.APPEND);
        Proc p = python(work, Map.of("PYTHONPATH", ClientStack.clientDir().toString(), "DROVER_CONTROLLER", controller.baseUrl(),
                "DROVER_API_KEY", userKey), "src/train.py", "--epochs", "2");
        assertThat(p.code()).as(p.out()).isZero();
        String id = p.out().lines().filter(l -> l.startsWith("task ")).findFirst().orElseThrow().substring(5);
        JsonNode t = admin.get("/api/v1/tasks/" + id);
        assertThat(t.path("project").asText()).isEqualTo("laptop");
        assertThat(t.path("name").asText()).isEqualTo("local-train");
        assertThat(t.path("status").asText()).isEqualTo("created");
        assertThat(t.path("tags").toString()).contains("local");
        assertThat(t.path("script").path("commit").asText()).isEqualTo(commit);
        assertThat(t.path("script").path("branch").asText()).isEqualTo("dev");
        assertThat(t.path("script").path("entryPoint").asText()).isEqualTo("src/train.py");
        assertThat(t.path("script").path("args").asText()).isEqualTo("--epochs 2");
        assertThat(t.path("script").path("hasDiff").asBoolean()).isTrue();
        assertThat(t.path("params").toString()).isEqualTo("{\"epochs\":\"2\",\"lr\":\"0.01\"}");
        assertThat(admin.get("/api/v1/tasks/" + id + "/diff").path("diff").asText()).contains("+# uncommitted");
        // alice created the project, so she owns it
        assertThat(new ApiClient(controller.baseUrl(), userKey).get("/api/v1/tasks/" + id).path("id").asText()).isEqualTo(id);
        assertThat(p.out()).contains("connected 0.1");
        // artifacts are an agent-only API: said once, no exception
        assertThat(p.out()).contains("artifact False").contains("works only inside an agent run");
        // points through the user route, iterations numbered 0, 1, 2 when not given
        assertThat(p.out()).contains("flushed True");
        // TensorBoard's add_scalar still does its own work and also logs the point
        assertThat(p.out()).contains("tb kept [('tb/train', 0.7, 5)]");
        assertThat(scalars(id)).isEqualTo(Map.of("loss/", List.of("0=1.0", "1=0.9", "2=0.8"), "tb/train", List.of("5=0.7")));
    }

    @Test
    void anUnreachableControllerNeverBreaksTheScript() throws Exception {
        Path work = Files.createDirectories(tmp.resolve("offline"));
        Proc p = python(work, Map.of("PYTHONPATH", ClientStack.clientDir().toString(), "DROVER_CONTROLLER", "http://127.0.0.1:9",
                "DROVER_PARAMS", "{\"General/lr\": \"0.25\", \"steps\": \"x\"}"),
                "-c", """
                        import drover
                        d = drover.init()
                        print("cfg", d.connect({"lr": 0.1, "steps": 5}))
                        for i in range(2000): d.log_scalar("loss", i)
                        print("end")
                        """);
        assertThat(p.code()).as(p.out()).isZero();
        assertThat(p.out()).contains("could not create a task on http://127.0.0.1:9").contains("end")
                // typed override from a "General/" key; an unconvertible one keeps the default and says why
                .contains("cfg {'lr': 0.25, 'steps': 5}").contains("parameter steps='x' ignored");
    }

    @Test
    void theControllerServesTheClientAsAFileAndAsAWheelPipInstalls() throws Exception {
        HttpResponse<byte[]> file = get("/client/python/drover.py", null);
        assertThat(file.statusCode()).isEqualTo(200);
        // what laptops download is what the agent injects into tasks, byte for byte
        byte[] agentCopy = Files.readAllBytes(ClientStack.clientDir().resolve("drover/__init__.py"));
        assertThat(file.body()).isEqualTo(agentCopy);
        Path dl = Files.createDirectories(tmp.resolve("download"));
        Files.write(dl.resolve("drover.py"), file.body());
        Proc imp = python(dl, Map.of(), "-c", "import drover; print('version', drover.__version__)");
        assertThat(imp.out()).contains("version 0.4.0");

        String index = new String(get("/client/python/", null).body(), StandardCharsets.UTF_8);
        String wheel = index.lines().filter(l -> l.contains("pip install")).findFirst().orElseThrow().replaceAll(".*/client/python/", "");
        assertThat(wheel).isEqualTo("drover-0.4.0-py3-none-any.whl");
        Path target = tmp.resolve("site");
        Proc pip = python(dl, Map.of("PIP_DISABLE_PIP_VERSION_CHECK", "1"), "-m", "pip", "install", "--no-index", "--no-deps",
                "--no-build-isolation", "--target", target.toString(), controller.baseUrl() + "/client/python/" + wheel);
        assertThat(pip.code()).as(pip.out()).isZero();
        Path elsewhere = Files.createDirectories(tmp.resolve("elsewhere"));
        Proc imp2 = python(elsewhere, Map.of("PYTHONPATH", target.toString()), "-c", "import drover; print(drover.__file__)");
        assertThat(imp2.out()).contains(target.resolve("drover").toString());
    }
}

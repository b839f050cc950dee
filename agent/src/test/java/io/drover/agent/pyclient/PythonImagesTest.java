package io.drover.agent.pyclient;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.drover.controller.Controller;
import io.drover.shared.client.ApiClient;
import io.drover.shared.json.Json;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.eclipse.jgit.api.Git;
import org.eclipse.jgit.lib.PersonIdent;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Python client's {@code log_image} and matplotlib capture, run by a real python3 against a real
 * controller (auth on): from a laptop (user key, {@code /images/user}) and inside an agent run
 * (image files relayed by the agent to the lease route). matplotlib, numpy and Pillow come from the
 * local mirror into a venv kept under {@code target/} between runs; without them the test is skipped.
 */
class PythonImagesTest {
    static final Path MIRROR = Path.of("/opt/pypi/simple");
    static final Path VENV = Path.of("target/py-images-venv").toAbsolutePath();
    @TempDir
    static Path tmp;
    static ClientStack stack;
    static Controller controller;
    static ApiClient admin;
    static Path python;
    static String sitePackages;

    @BeforeAll
    static void start() throws Exception {
        python = venvWithPlotting();
        stack = ClientStack.start(tmp, "py-images");
        controller = stack.controller;
        admin = stack.admin;
    }

    @AfterAll
    static void stop() throws Exception {
        if (stack != null) stack.close();
    }

    /** A venv with matplotlib, numpy and Pillow (skips the test class with the reason when they cannot be installed). */
    static Path venvWithPlotting() throws Exception {
        Path py = VENV.resolve("bin/python");
        if (!Files.isRegularFile(VENV.resolve("ok"))) {
            String out = sh(List.of("python3", "-m", "venv", "--clear", VENV.toString()), Map.of(), 120);
            Map<String, String> env = new HashMap<>();
            if (Files.isDirectory(MIRROR)) env.put("PIP_INDEX_URL", MIRROR.toUri().toString());
            out += sh(List.of(py.toString(), "-m", "pip", "install", "-q", "matplotlib", "numpy", "pillow"), env, 600);
            String check = sh(List.of(py.toString(), "-c", "import matplotlib, numpy, PIL; print('plotting-ok')"), Map.of(), 120);
            Assumptions.assumeTrue(check.contains("plotting-ok"), "matplotlib/numpy/pillow could not be installed into a venv: " + out + check);
            Files.writeString(VENV.resolve("ok"), "");
        }
        sitePackages = sh(List.of(py.toString(), "-c", "import numpy, os; print(os.path.dirname(os.path.dirname(numpy.__file__)))"), Map.of(), 60)
                .strip().lines().reduce((a, b) -> b).orElseThrow();
        return py;
    }

    static String sh(List<String> cmd, Map<String, String> env, int seconds) throws Exception {
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        pb.environment().putAll(env);
        Process p = pb.start();
        String out;
        try (InputStream in = p.getInputStream()) {
            out = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        if (!p.waitFor(seconds, TimeUnit.SECONDS)) p.destroyForcibly();
        return out;
    }

    static String runLocal(String script) throws Exception {
        Path work = Files.createDirectories(tmp.resolve("w" + System.nanoTime()));
        Files.writeString(work.resolve("t.py"), script);
        ProcessBuilder pb = new ProcessBuilder(List.of(python.toString(), "t.py")).directory(work.toFile()).redirectErrorStream(true);
        pb.environment().keySet().removeIf(k -> k.startsWith("DROVER_"));
        pb.environment().putAll(Map.of("PYTHONPATH", ClientStack.clientDir().toString(), "DROVER_CONTROLLER", controller.baseUrl(),
                "DROVER_API_KEY", stack.userKey, "DROVER_HOME", tmp.resolve("no-home").toString(), "MPLBACKEND", "Agg",
                "MPLCONFIGDIR", tmp.resolve("mpl").toString()));
        Process p = pb.start();
        String out;
        try (InputStream in = p.getInputStream()) {
            out = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        assertThat(p.waitFor(120, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(out).isZero();
        return out;
    }

    static List<JsonNode> images(String id) {
        List<JsonNode> out = new ArrayList<>();
        admin.get("/api/v1/tasks/" + id + "/images?limit=500").path("items").forEach(out::add);
        return out;
    }

    static JsonNode one(List<JsonNode> items, String metric, String variant, long iter) {
        return items.stream().filter(i -> i.path("metric").asText().equals(metric) && i.path("variant").asText().equals(variant)
                && i.path("iter").asLong() == iter).findFirst().orElseThrow(() -> new AssertionError(metric + "/" + variant + "@" + iter + " not in " + items));
    }

    static byte[] bytes(String id, long seq) throws Exception {
        try (InputStream in = admin.download("/api/v1/tasks/" + id + "/images/" + seq)) {
            return in.readAllBytes();
        }
    }

    static boolean isPng(byte[] b) {
        return b.length > 8 && (b[0] & 0xFF) == 0x89 && b[1] == 'P' && b[2] == 'N' && b[3] == 'G';
    }

    @Test
    void aLaptopRunLogsImagesOfEveryKindAndCapturesMatplotlib() throws Exception {
        String out = runLocal("""
                import drover, numpy as np
                from PIL import Image
                d = drover.init(project="images", name="laptop")
                import matplotlib.pyplot as plt            # imported after init: patched by the import hook
                Image.new("RGB", (6, 4), (200, 10, 10)).save("red.png")
                print("path", d.log_image("samples", "red.png", iter=1, series="file"))
                print("bytes", d.log_image("samples", open("red.png", "rb").read(), iter=2, series="bytes"))
                print("pil", d.log_image("samples", Image.new("L", (5, 5), 128), iter=3, series="pil"))
                print("array", d.log_image("samples", np.full((8, 9, 3), 255, dtype=np.uint8), iter=4, series="array"))
                print("float", d.log_image("samples", np.zeros((2, 2)), iter=5))
                print("junk", d.log_image("samples", b"not an image"))
                fig = plt.figure()
                plt.plot([1, 2, 3], [3, 1, 2])
                fig.suptitle("loss curve")
                fig.savefig("curve.png")                   # captured as "loss curve"
                plt.figure()
                plt.plot([0, 1])
                plt.show()                                 # captures every open figure: "loss curve" again and "figure 2"
                print("explicit", d.log_image("by hand", fig))
                print("flushed", d.flush())
                print("task", d.id)
                """);
        assertThat(out).contains("path True", "bytes True", "pil True", "array True", "float False", "junk False", "explicit True",
                "flushed True").contains("dtype uint8", "not a PNG");
        String id = out.lines().filter(l -> l.startsWith("task ")).findFirst().orElseThrow().substring(5);
        List<JsonNode> items = images(id);
        byte[] red = Files.readAllBytes(tmp.resolve(Files.list(tmp).filter(p -> p.getFileName().toString().startsWith("w"))
                .filter(p -> Files.exists(p.resolve("red.png"))).findFirst().orElseThrow().getFileName()).resolve("red.png"));
        assertThat(bytes(id, one(items, "samples", "file", 1).path("seq").asLong())).isEqualTo(red);
        assertThat(bytes(id, one(items, "samples", "bytes", 2).path("seq").asLong())).isEqualTo(red);
        assertThat(isPng(bytes(id, one(items, "samples", "pil", 3).path("seq").asLong()))).isTrue();
        JsonNode array = one(items, "samples", "array", 4);
        assertThat(array.path("contentType").asText()).isEqualTo("image/png");
        assertThat(isPng(bytes(id, array.path("seq").asLong()))).isTrue();
        // matplotlib: savefig and show each logged the figure, titled by its suptitle or its number
        JsonNode saved = one(items, "loss curve", "", 0);
        assertThat(saved.path("size").asLong()).isGreaterThan(1000);
        assertThat(isPng(bytes(id, saved.path("seq").asLong()))).isTrue();
        one(items, "loss curve", "", 1);
        one(items, "figure 2", "", 0);
        one(items, "by hand", "", 0);
        assertThat(items).hasSize(8);
    }

    @Test
    void insideAnAgentRunImagesGoThroughTheAgent() throws Exception {
        Path repo = tmp.resolve("repo");
        String commit;
        try (Git git = Git.init().setDirectory(repo.toFile()).setInitialBranch("main").call()) {
            // the agent runs the system python3: the test's venv packages come in through sys.path
            Files.writeString(repo.resolve("run.py"), """
                    import sys
                    sys.path.insert(0, %s)
                    import os
                    os.environ["MPLBACKEND"] = "Agg"
                    import drover
                    d = drover.init()
                    import matplotlib.pyplot as plt
                    import numpy as np
                    print("array", d.log_image("grid", np.zeros((3, 3), dtype=np.uint8), iter=7, series="val"))
                    plt.plot([1, 2])
                    plt.gcf().suptitle("agent fig")
                    plt.savefig("fig.png")
                    print("done")
                    """.formatted(Json.write(Json.MAPPER.getNodeFactory().textNode(sitePackages))));
            git.add().addFilepattern(".").call();
            PersonIdent who = new PersonIdent("t", "t@example.com");
            commit = git.commit().setMessage("init").setAuthor(who).setCommitter(who).call().getName();
        }
        ObjectNode body = Json.object().put("name", "agent-images").put("project", "agent-images").put("enqueue", true);
        body.putObject("script").put("repo", repo.toString()).put("branch", "main").put("commit", commit).put("entryPoint", "run.py");
        String id = admin.post("/api/v1/tasks", body).orElseThrow().path("id").asText();
        long deadline = System.nanoTime() + Duration.ofSeconds(240).toNanos(); // loose: environment builds on a busy CI machine
        JsonNode t = admin.get("/api/v1/tasks/" + id);
        while (System.nanoTime() < deadline && !List.of("completed", "failed", "aborted").contains(t.path("status").asText())) {
            Thread.sleep(100);
            t = admin.get("/api/v1/tasks/" + id);
        }
        String console = admin.get("/api/v1/tasks/" + id + "/logs").toString();
        assertThat(t.path("status").asText()).as(t.toPrettyString() + console).isEqualTo("completed");
        assertThat(console).contains("array True");
        List<JsonNode> items = images(id);
        assertThat(items).as(console).hasSize(2);
        JsonNode grid = one(items, "grid", "val", 7);
        assertThat(isPng(bytes(id, grid.path("seq").asLong()))).isTrue();
        assertThat(isPng(bytes(id, one(items, "agent fig", "", 0).path("seq").asLong()))).isTrue();
    }
}

package io.drover.agent.diskfull;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.drover.agent.Agent;
import io.drover.agent.AgentConfig;
import io.drover.controller.Controller;
import io.drover.controller.config.ControllerConfig;
import io.drover.shared.client.ApiClient;
import io.drover.shared.json.Json;
import java.io.IOException;
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
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Artifact disk full, end to end (issue 6): the controller's artifact directory is a real 2 MiB
 * tmpfs with a 1 MB floor; a task writes a 3 MB and a small output file. The big upload is
 * refused (507), the small one stored; the task completes as its process did, with the failure
 * in its status reason, the tag {@code artifact-upload-failed} and a console line; the next task
 * runs normally. Needs root (mount); skipped with the reason otherwise.
 */
class ArtifactDiskFullAgentTest {
    static final Path MIRROR = Path.of("/opt/pypi/simple");
    static final String SCRIPT = """
            import os, sys
            out = os.environ["DROVER_OUTPUT_DIR"]
            if "--big" in sys.argv:
                with open(os.path.join(out, "big.bin"), "wb") as f:
                    f.write(os.urandom(3 * 1024 * 1024))
            with open(os.path.join(out, "small.txt"), "w") as f:
                f.write("accuracy 0.9\\n")
            print("trained", flush=True)
            """;

    @TempDir
    static Path tmp;
    static Path volume;
    static Controller controller;
    static ApiClient api;
    static Agent agent;
    static Path repo;
    static String commit;

    @BeforeAll
    static void start() throws Exception {
        Path data = tmp.resolve("data");
        volume = Files.createDirectories(data.resolve("artifacts"));
        String why = run("mount", "-t", "tmpfs", "-o", "size=2m", "tmpfs", volume.toString());
        Assumptions.assumeTrue(why == null, () -> "skipped: cannot mount a 2 MiB tmpfs (needs root or CAP_SYS_ADMIN): " + why);
        controller = Controller.start(ControllerConfig.defaults().withPort(0).withDataDir(data).withAuth(false)
                .withHeartbeat(Duration.ofSeconds(1)).withLease(Duration.ofSeconds(5)).withArtifactMinFreeMb(1));
        api = new ApiClient(controller.baseUrl(), null);
        repo = tmp.resolve("repo");
        try (Git git = Git.init().setDirectory(repo.toFile()).setInitialBranch("main").call()) {
            Files.writeString(repo.resolve("train.py"), SCRIPT);
            git.add().addFilepattern(".").call();
            PersonIdent who = new PersonIdent("t", "t@example.com");
            commit = git.commit().setMessage("init").setAuthor(who).setCommitter(who).call().getName();
        }
        Map<String, String> pip = Files.isDirectory(MIRROR) ? Map.of("PIP_INDEX_URL", MIRROR.toUri().toString()) : Map.of();
        agent = Agent.start(AgentConfig.of(controller.baseUrl(), tmp.resolve("agent")).withName("diskfull-agent")
                .withQueues(List.of("diskfull")).withGrace(Duration.ofSeconds(2)).withBuildEnv(pip));
        assertThat(agent.awaitRegistered(Duration.ofSeconds(20))).isTrue();
    }

    @AfterAll
    static void stop() throws Exception {
        if (agent != null) agent.close();
        if (controller != null) controller.close();
        if (volume != null && run("umount", volume.toString()) != null) run("umount", "-l", volume.toString());
    }

    static String run(String... cmd) throws IOException, InterruptedException {
        Process p;
        try {
            p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        } catch (IOException e) {
            return e.getMessage();
        }
        String out = new String(p.getInputStream().readAllBytes());
        if (!p.waitFor(20, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            return "timed out";
        }
        return p.exitValue() == 0 ? null : out.trim() + " (exit " + p.exitValue() + ")";
    }

    @Test
    void aRefusedUploadIsRecordedOnTheTaskAndNothingElseBreaks() throws Exception {
        JsonNode t = runTask("big", "--big");
        assertThat(t.path("status").asText()).as(t.toPrettyString()).isEqualTo("completed");
        assertThat(t.path("statusReason").asText())
                .startsWith("artifact upload failed: big.bin: ")
                .contains("free space on the artifact volume", "--artifact-min-free-mb", "point --data at a larger disk");
        assertThat(texts(t.path("tags"))).contains("artifact-upload-failed");
        String id = t.path("id").asText();
        List<String> names = new ArrayList<>();
        api.get("/api/v1/tasks/" + id + "/artifacts").path("items").forEach(a -> names.add(a.path("name").asText()));
        assertThat(names).containsExactly("small.txt");
        List<String> lines = new ArrayList<>();
        api.get("/api/v1/tasks/" + id + "/logs?limit=1000").path("lines").forEach(l -> lines.add(l.path("text").asText()));
        assertThat(lines).contains("trained", "[drover] uploaded small.txt (13 bytes)");
        assertThat(lines).anySatisfy(l -> assertThat(l).startsWith("[drover] cannot upload big.bin: ").contains("free space"));
        try (var tmpFiles = Files.list(volume.resolve(".tmp"))) {
            assertThat(tmpFiles).as("no partial upload left on the volume").isEmpty();
        }

        // the agent and the controller carry on: the next task runs and stores its output
        JsonNode next = runTask("small");
        assertThat(next.path("status").asText()).as(next.toPrettyString()).isEqualTo("completed");
        assertThat(next.path("statusReason").isNull() || next.path("statusReason").asText().isEmpty()).as(next.toPrettyString()).isTrue();
        assertThat(texts(next.path("tags"))).doesNotContain("artifact-upload-failed");
        assertThat(api.get("/api/v1/tasks/" + next.path("id").asText() + "/artifacts").path("items")).hasSize(1);
    }

    static JsonNode runTask(String name, String... args) throws InterruptedException {
        ObjectNode body = Json.object().put("name", name).put("queue", "diskfull").put("enqueue", true);
        body.putObject("script").put("repo", repo.toString()).put("branch", "main").put("commit", commit).put("entryPoint", "train.py")
                .put("args", String.join(" ", args));
        body.putObject("environment").put("manager", "system"); // the agent's own python: no venv to build
        String id = api.post("/api/v1/tasks", body).orElseThrow().path("id").asText();
        long deadline = System.nanoTime() + Duration.ofSeconds(45).toNanos();
        JsonNode t = api.get("/api/v1/tasks/" + id);
        while (System.nanoTime() < deadline && !List.of("completed", "failed", "aborted").contains(t.path("status").asText())) {
            Thread.sleep(100);
            t = api.get("/api/v1/tasks/" + id);
        }
        return t;
    }

    static List<String> texts(JsonNode arr) {
        List<String> out = new ArrayList<>();
        arr.forEach(x -> out.add(x.asText()));
        return out;
    }
}

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

/** The Python client's {@code add_tags}/{@code set_tags}, run by a real python3 against a real controller (auth on). */
class PythonTagsTest {
    @TempDir
    static Path tmp;
    static ClientStack stack;
    static Controller controller;
    static Bootstrap.Result boot;
    static ApiClient admin;
    static String userKey;
    static Agent agent;

    @BeforeAll
    static void start() throws Exception {
        stack = ClientStack.start(tmp, "py-tags");
        controller = stack.controller;
        admin = stack.admin;
        userKey = stack.userKey;
        agent = stack.agent;
        boot = stack.boot;
    }

    @AfterAll
    static void stop() throws Exception {
        if (stack != null) stack.close();
    }

    static List<String> tags(JsonNode t) {
        List<String> out = new ArrayList<>();
        t.path("tags").forEach(x -> out.add(x.asText()));
        return out;
    }

    @Test
    void aLaptopRunSetsAndAddsTagsWithTheUsersKey() throws Exception {
        Path work = Files.createDirectories(tmp.resolve("laptop"));
        Files.writeString(work.resolve("t.py"), """
                import drover
                d = drover.init(project="laptop-tags", name="tagged", tags=[])
                print("add", d.add_tags(["baseline", "no spaces"]))
                print("set", d.set_tags(["final", "gpu"]))
                print("add2", d.add_tags("v2"))
                print("task", d.id)
                """);
        List<String> cmd = List.of("python3", "t.py");
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(work.toFile()).redirectErrorStream(true);
        pb.environment().keySet().removeIf(k -> k.startsWith("DROVER_"));
        pb.environment().putAll(Map.of("PYTHONPATH", ClientStack.clientDir().toString(), "DROVER_CONTROLLER", controller.baseUrl(),
                "DROVER_API_KEY", userKey, "DROVER_HOME", tmp.resolve("no-home").toString()));
        Process p = pb.start();
        String out;
        try (InputStream in = p.getInputStream()) {
            out = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(out).isZero();
        assertThat(out).contains("add True", "set True", "add2 True").contains("'no spaces' skipped");
        String id = out.lines().filter(l -> l.startsWith("task ")).findFirst().orElseThrow().substring(5);
        assertThat(tags(admin.get("/api/v1/tasks/" + id))).containsExactly("final", "gpu", "v2");
    }

    @Test
    void insideAnAgentRunTagsGoThroughTheAgent() throws Exception {
        Path repo = tmp.resolve("repo");
        String commit;
        try (Git git = Git.init().setDirectory(repo.toFile()).setInitialBranch("main").call()) {
            Files.writeString(repo.resolve("run.py"), """
                    import drover
                    d = drover.init()
                    d.add_tags(["from-python", "baseline"])
                    print("done")
                    """);
            git.add().addFilepattern(".").call();
            PersonIdent who = new PersonIdent("t", "t@example.com");
            commit = git.commit().setMessage("init").setAuthor(who).setCommitter(who).call().getName();
        }
        ObjectNode body = Json.object().put("name", "agent-tags").put("project", "tags").put("enqueue", true);
        body.putArray("tags").add("baseline");
        body.putObject("script").put("repo", repo.toString()).put("branch", "main").put("commit", commit).put("entryPoint", "run.py");
        String id = admin.post("/api/v1/tasks", body).orElseThrow().path("id").asText();
        long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
        JsonNode t = admin.get("/api/v1/tasks/" + id);
        while (System.nanoTime() < deadline && !List.of("completed", "failed", "aborted").contains(t.path("status").asText())) {
            Thread.sleep(100);
            t = admin.get("/api/v1/tasks/" + id);
        }
        assertThat(t.path("status").asText()).as(t.toPrettyString()).isEqualTo("completed");
        assertThat(tags(t)).containsExactly("baseline", "from-python");
    }

}

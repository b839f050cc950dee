package io.drover.agent.gpu;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.drover.agent.Agent;
import io.drover.agent.AgentConfig;
import io.drover.agent.daemon.ParallelConfig;
import io.drover.controller.Controller;
import io.drover.controller.config.ControllerConfig;
import io.drover.shared.client.ApiClient;
import io.drover.shared.json.Json;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import org.eclipse.jgit.api.Git;
import org.eclipse.jgit.lib.PersonIdent;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Dynamic GPU allocation and services mode, end to end: a real controller, real agents and real
 * Python tasks. There is no GPU here, so each agent runs a FAKE {@code nvidia-smi} (a shell script
 * standing in for the real tool) that prints the real H100 fixture lines for two GPUs, 0 and 1;
 * what the tasks see is checked through the {@code CUDA_VISIBLE_DEVICES} they print.
 */
@Timeout(300)
class GpuAgentEndToEndTest {
    @TempDir
    static Path tmp;
    static Controller controller;
    static ApiClient api;
    static Path repo;
    static String commit;
    static Path fakeSmi;
    static final List<Agent> agents = new ArrayList<>();

    /** Prints its CUDA_VISIBLE_DEVICES, then waits until every file named in argv exists (a barrier), then writes its own. */
    static final String TASK = """
            import os, sys, time
            print("CVD=[%s]" % os.environ.get("CUDA_VISIBLE_DEVICES", "unset"), flush=True)
            print("NVD=[%s]" % os.environ.get("NVIDIA_VISIBLE_DEVICES", "unset"), flush=True)
            print("ORDER=[%s]" % os.environ.get("CUDA_DEVICE_ORDER", "unset"), flush=True)
            mine, others = sys.argv[1], sys.argv[2:]
            open(mine, "w").close()
            deadline = time.time() + 120
            while not all(os.path.exists(o) for o in others):
                if time.time() > deadline:
                    print("the other tasks never ran alongside", flush=True)
                    sys.exit(7)
                time.sleep(0.1)
            print("all here", flush=True)
            """;

    @BeforeAll
    static void start() throws Exception {
        controller = Controller.start(ControllerConfig.defaults().withPort(0).withDataDir(tmp.resolve("data"))
                .withHeartbeat(Duration.ofSeconds(1)).withLease(Duration.ofSeconds(10)).withAuth(false));
        api = new ApiClient(controller.baseUrl(), null);
        repo = tmp.resolve("repo");
        try (Git git = Git.init().setDirectory(repo.toFile()).setInitialBranch("main").call()) {
            Files.writeString(repo.resolve("task.py"), TASK);
            git.add().addFilepattern(".").call();
            PersonIdent who = new PersonIdent("t", "t@example.com");
            commit = git.commit().setMessage("init").setAuthor(who).setCommitter(who).call().getName();
        }
        fakeSmi = fakeNvidiaSmi(tmp.resolve("bin"));
    }

    /** A stand-in nvidia-smi: the busy H100 fixture line as GPU 0 and again (another uuid) as GPU 1. */
    static Path fakeNvidiaSmi(Path dir) throws Exception {
        Files.createDirectories(dir);
        Path gpus = Fixtures.H100.resolve("query-gpu-busy.csv");
        Path apps = Fixtures.H100.resolve("query-apps-busy.csv");
        Path script = dir.resolve("nvidia-smi");
        Files.writeString(script, """
                #!/bin/sh
                # FAKE nvidia-smi for tests: the real H100 outputs, as two GPUs
                case "$1" in
                  --query-gpu=*) cat '%s'; sed 's/^0, GPU-ddf48c9b/1, GPU-ddf48c9c/' '%s' ;;
                  --query-compute-apps=*) cat '%s' ;;
                  *) echo "fake nvidia-smi: unsupported $*" >&2; exit 9 ;;
                esac
                """.formatted(gpus, gpus, apps));
        Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwxr-xr-x"));
        return script;
    }

    @AfterAll
    static void stop() throws Exception {
        for (Agent a : agents) a.close();
        if (controller != null) controller.close();
    }

    static Agent agent(String name, String queue, ParallelConfig parallel) throws Exception {
        AgentConfig cfg = AgentConfig.of(controller.baseUrl(), tmp.resolve("agent-" + name)).withName(name)
                .withQueues(List.of(queue)).withGrace(Duration.ofSeconds(2)).withClaimWaitSeconds(5);
        Agent a = Agent.start(cfg, parallel.withNvidiaSmi(fakeSmi.toString()));
        agents.add(a);
        assertThat(a.awaitRegistered(Duration.ofSeconds(30))).isTrue();
        return a;
    }

    static String submit(String name, String queue, int gpus, String mine, String... others) {
        ObjectNode b = Json.object().put("name", name).put("project", "gpu").put("queue", queue).put("enqueue", true);
        b.putObject("resources").put("gpus", gpus);
        ObjectNode s = b.putObject("script");
        s.put("repo", repo.toString()).put("commit", commit).put("entryPoint", "task.py");
        s.put("args", tmp.resolve(mine) + (others.length == 0 ? "" : " " + String.join(" ",
                java.util.Arrays.stream(others).map(o -> tmp.resolve(o).toString()).toList())));
        return api.post("/api/v1/tasks", b).orElseThrow().path("id").asText();
    }

    static JsonNode task(String id) {
        return api.get("/api/v1/tasks/" + id);
    }

    static JsonNode await(String id, Predicate<JsonNode> until, Duration timeout) throws InterruptedException {
        Instant end = Instant.now().plus(timeout);
        JsonNode t = task(id);
        while (!until.test(t) && Instant.now().isBefore(end)) {
            Thread.sleep(100);
            t = task(id);
        }
        assertThat(until.test(t)).as("task %s: %s", id, t).isTrue();
        return t;
    }

    static JsonNode awaitDone(String id) throws InterruptedException {
        JsonNode t = await(id, x -> List.of("completed", "failed", "aborted").contains(x.path("status").asText()), Duration.ofSeconds(180));
        assertThat(t.path("status").asText()).as("task %s ended: %s; log: %s", id, t.path("statusReason").asText(), log(id))
                .isEqualTo("completed");
        return t;
    }

    static String log(String id) {
        StringBuilder b = new StringBuilder();
        api.get("/api/v1/tasks/" + id + "/logs?limit=1000").path("lines").forEach(l -> b.append(l.path("text").asText()).append('\n'));
        return b.toString();
    }

    static String printed(String id, String key) {
        for (String line : log(id).split("\n")) if (line.startsWith(key + "=[")) return line.substring(key.length() + 2, line.length() - 1);
        return null;
    }

    @Test
    void twoOneGpuTasksRunInParallelOnTheirOwnGpusWithAFakeNvidiaSmi() throws Exception {
        agent("gpu2", "g2", ParallelConfig.defaults().withGpus(GpuSelection.ALL));
        String a = submit("a", "g2", 1, "a.mark", "b.mark");
        String b = submit("b", "g2", 1, "b.mark", "a.mark");
        JsonNode ta = awaitDone(a);
        JsonNode tb = awaitDone(b);
        String ca = printed(a, "CVD");
        String cb = printed(b, "CVD");
        assertThat(List.of(ca, cb)).containsExactlyInAnyOrder("0", "1");
        assertThat(printed(a, "NVD")).isEqualTo(ca);
        assertThat(printed(a, "ORDER")).as("CUDA numbers GPUs like nvidia-smi").isEqualTo("PCI_BUS_ID");
        assertThat(ta.path("execution").path("gpus").toString()).isEqualTo("[" + ca + "]");
        assertThat(tb.path("execution").path("gpus").toString()).isEqualTo("[" + cb + "]");
        assertThat(log(a)).contains("[drover] GPUs [" + ca + "]: CUDA_VISIBLE_DEVICES=" + ca);
    }

    @Test
    void aTwoGpuTaskWaitsInItsQueueUntilTwoGpusAreFreeWithAFakeNvidiaSmi() throws Exception {
        agent("gpu2b", "g2b", ParallelConfig.defaults().withGpus(GpuSelection.ALL));
        // holds one GPU until "free.mark" exists
        String one = submit("holder", "g2b", 1, "holder.mark", "free.mark");
        await(one, t -> "running".equals(t.path("status").asText()), Duration.ofSeconds(120));
        await(one, t -> printed(one, "CVD") != null, Duration.ofSeconds(120));
        String two = submit("two", "g2b", 2, "two.mark");
        // the agent has one GPU free: the 2-GPU task stays queued (not claimed and parked on the agent)
        Thread.sleep(4000);
        assertThat(task(two).path("status").asText()).isEqualTo("queued");
        assertThat(task(two).path("execution").path("worker").isNull()).isTrue();

        // heartbeat stats: both GPUs, the held one naming its task (stats as the agent sends them)
        JsonNode w = worker("gpu2b");
        JsonNode gpus = w.path("stats").path("gpus");
        assertThat(gpus.size()).isEqualTo(2);
        assertThat(gpus.get(0).path("name").asText()).isEqualTo("NVIDIA H100 80GB HBM3");
        assertThat(gpus.get(0).path("memTotalMb").asLong()).isEqualTo(81559);
        assertThat(gpus.get(0).path("util").asDouble()).isEqualTo(100.0);
        List<String> holders = new ArrayList<>();
        gpus.forEach(g -> holders.add(g.path("taskId").isNull() ? null : g.path("taskId").asText()));
        assertThat(holders).containsExactlyInAnyOrder(one, null);

        // per-task GPU usage as resource scalars: metric gpu, variants <index>.util / <index>.memUsedMb
        String idx = printed(one, "CVD");
        Instant end = Instant.now().plusSeconds(30);
        JsonNode scalars = api.get("/api/v1/tasks/" + one + "/scalars");
        while (scalars.path("items").size() < 2 && Instant.now().isBefore(end)) {
            Thread.sleep(200);
            scalars = api.get("/api/v1/tasks/" + one + "/scalars");
        }
        List<String> series = new ArrayList<>();
        scalars.path("items").forEach(i -> series.add(i.path("metric").asText() + "/" + i.path("variant").asText()
                + "=" + i.path("last").asDouble()));
        assertThat(series).contains("gpu/" + idx + ".util=100.0", "gpu/" + idx + ".memUsedMb=1011.0");

        Files.createFile(tmp.resolve("free.mark"));
        awaitDone(one);
        JsonNode t2 = awaitDone(two);
        assertThat(printed(two, "CVD")).isEqualTo("0,1");
        assertThat(t2.path("execution").path("gpus").toString()).isEqualTo("[0,1]");
    }

    @Test
    void maxParallelRunsCpuTasksConcurrentlyAndHidesTheGpusFromThem() throws Exception {
        agent("services", "svc", ParallelConfig.defaults().withGpus(GpuSelection.parse("0")).withMaxParallel(3));
        String a = submit("c1", "svc", 0, "c1.mark", "c2.mark", "c3.mark");
        String b = submit("c2", "svc", 0, "c2.mark", "c1.mark", "c3.mark");
        String c = submit("c3", "svc", 0, "c3.mark", "c1.mark", "c2.mark");
        for (String id : List.of(a, b, c)) {
            awaitDone(id);
            assertThat(printed(id, "CVD")).as("a CPU task sees no GPU").isEmpty();
            assertThat(task(id).path("execution").path("gpus").size()).isZero();
        }
    }

    @Test
    void anAgentWithoutGpusNeverClaimsAGpuTaskAndLeavesCudaAlone() throws Exception {
        agent("cpu-only", "cpu", ParallelConfig.defaults());
        String g = submit("needs-gpu", "cpu", 1, "ng.mark");
        String c = submit("cpu", "cpu", 0, "cpu.mark");
        awaitDone(c);
        String own = System.getenv("CUDA_VISIBLE_DEVICES");
        assertThat(printed(c, "CVD")).as("untouched: what the agent itself has").isEqualTo(own == null ? "unset" : own);
        assertThat(task(g).path("status").asText()).isEqualTo("queued");
    }

    static JsonNode worker(String name) {
        for (JsonNode w : api.get("/api/v1/workers").path("items")) if (w.path("name").asText().equals(name)) return w;
        throw new AssertionError("worker " + name + " not listed");
    }
}

package io.drover.agent.docker;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.github.dockerjava.api.command.CreateContainerCmd;
import com.github.dockerjava.api.model.DeviceRequest;
import io.drover.agent.launch.RunResult;
import io.drover.shared.json.Json;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Tasks in real containers (Docker Engine API, here Podman's) of a Python image built for the test. */
class ContainerLauncherTest {
    @TempDir
    static Path dir;
    static ContainerFixture fx;

    @BeforeAll
    static void setUp() throws Exception {
        fx = new ContainerFixture(dir);
    }

    @AfterAll
    static void noContainerIsLeft() throws InterruptedException {
        if (fx != null) assertThat(DockerEngineTest.idsWhenGone(fx.engine.client(), "fixture-agent")).isEmpty();
    }

    @Test
    void theTaskRunsWithItsOutputStreamedApartAndTheContainerIsRemoved() throws Exception {
        var s = fx.start("""
                import os, sys, pathlib
                print('hello from the container', flush=True)
                print('a warning', file=sys.stderr, flush=True)
                out = pathlib.Path(os.environ['DROVER_OUTPUT_DIR']); out.mkdir(parents=True, exist_ok=True)
                (out / 'model.txt').write_text('weights')
                import drover  # the client comes from the mounted hooks, not from the image
                print('client', drover.__name__)
                sys.exit(3)
                """);
        RunResult r = s.process().waitFor();
        s.drain();
        assertThat(r.exitCode()).isEqualTo(3);
        assertThat(r.maxRssKb()).as("the supervisor shim measured the task").isNotNull().isPositive();
        assertThat(s.text("stdout")).containsExactly("hello from the container", "client drover");
        assertThat(s.text("stderr")).containsExactly("a warning");
        assertThat(fx.taskDir.resolve("output/model.txt")).hasContent("weights");
        assertThat(s.process().isAlive()).isFalse();
        assertThat(DockerEngineTest.idsWhenGone(fx.engine.client(), "fixture-agent")).as("removed once it ended").isEmpty();
    }

    @Test
    void theContainerGetsOnlyWhatDroverSetsAndSeesNoGpuWithoutOne() throws Exception {
        String hostOnly = System.getenv().keySet().stream()
                .filter(k -> !k.startsWith("DROVER_") && !k.startsWith("PYTHON") && !Set.of("PATH", "HOME", "VIRTUAL_ENV").contains(k))
                .findFirst().orElseThrow();
        var s = fx.start("""
                import json, os
                try:
                    open(os.path.join(os.environ['VIRTUAL_ENV'], 'x'), 'w'); print('env writable')
                except OSError:
                    print('env read-only')
                print(json.dumps(dict(os.environ)))
                """, DockerSettings.defaults(), ExtraArgs.none(), List.of(),
                Map.of("API_TOKEN", System.getenv(hostOnly), "DROVER_TASK_TOKEN", "tok"), Set.of("API_TOKEN"), Duration.ofSeconds(5));
        assertThat(s.process().waitFor().exitCode()).isZero();
        s.drain();
        assertThat(s.text("stdout").get(0)).isEqualTo("env read-only");
        JsonNode env = Json.parse(s.text("stdout").get(1));
        assertThat(env.has(hostOnly)).as("the agent's own variable " + hostOnly + " stays outside").isFalse();
        assertThat(env.path("API_TOKEN").asText()).as("a secret passes even when it equals a host value").isEqualTo(System.getenv(hostOnly));
        assertThat(env.path("DROVER_TASK_TOKEN").asText()).isEqualTo("tok");
        assertThat(env.path("PATH").asText()).isEqualTo(fx.env.dir().resolve("bin") + ":" + fx.image.path());
        assertThat(env.path("PYTHONPATH").asText()).isEqualTo(fx.hooks.toString());
        assertThat(env.path("HOME").asText()).isEqualTo(fx.taskDir.resolve("home").toString());
        assertThat(env.path("CUDA_VISIBLE_DEVICES").asText("unset")).isEmpty();
        assertThat(env.path("NVIDIA_VISIBLE_DEVICES").asText()).isEqualTo("void");
    }

    /** Podman ignores GPU device requests, so this checks the request as sent; real GPUs are checked on a GPU machine. */
    @Test
    void gpusAreRequestedAsDevicesForExactlyTheTasksIndexes() throws Exception {
        AtomicReference<CreateContainerCmd> sent = new AtomicReference<>();
        fx.engine.onCreate(c -> { if (c.getLabels().get(DockerEngine.LABEL_TASK).equals("t1")) sent.set(c); });
        try {
            var s = fx.start("import os; print(os.environ['CUDA_VISIBLE_DEVICES'])", DockerSettings.defaults(), ExtraArgs.none(),
                    List.of(1, 3), Map.of("CUDA_VISIBLE_DEVICES", "1,3"), Set.of(), Duration.ofSeconds(5));
            assertThat(s.process().waitFor().exitCode()).isZero();
            s.drain();
            assertThat(s.text("stdout")).as("inside, the task's GPUs are numbered from 0").containsExactly("0,1");
        } finally {
            fx.engine.onCreate(c -> { });
        }
        List<DeviceRequest> reqs = sent.get().getHostConfig().getDeviceRequests();
        assertThat(reqs).hasSize(1);
        assertThat(reqs.get(0).getDriver()).isEqualTo("nvidia");
        assertThat(reqs.get(0).getDeviceIds()).containsExactly("1", "3");
        assertThat(reqs.get(0).getCapabilities()).containsExactly(List.of("gpu"));
        // and the JSON body docker-java sends to the Engine API
        String body = new com.fasterxml.jackson.databind.ObjectMapper().writeValueAsString(sent.get());
        assertThat(body).contains("\"DeviceRequests\":[{\"Driver\":\"nvidia\",\"Count\":null,\"DeviceIDs\":[\"1\",\"3\"]");
    }

    @Test
    void limitsAndWhitelistedArgumentsReachTheContainer() throws Exception {
        AtomicReference<CreateContainerCmd> sent = new AtomicReference<>();
        fx.engine.onCreate(sent::set);
        DockerSettings limited = DockerSettings.defaults().withLimits(512L << 20, 1.5);
        ExtraArgs extra = ExtraArgs.parse(List.of("--shm-size=96m", "-e", "FOO=bar"), List.of());
        try {
            var s = fx.start("""
                    import os
                    st = os.statvfs('/dev/shm')
                    print(st.f_blocks * st.f_frsize // (1024 * 1024), os.environ['FOO'])
                    """, limited, extra, List.of(), Map.of(), Set.of(), Duration.ofSeconds(5));
            var r = s.process().waitFor();
            s.drain();
            assertThat(r.exitCode()).as(s.lines().toString()).isZero();
            assertThat(s.text("stdout")).containsExactly("96 bar");
        } finally {
            fx.engine.onCreate(c -> { });
        }
        var hc = sent.get().getHostConfig();
        assertThat(hc.getMemory()).isEqualTo(512L << 20);
        assertThat(hc.getMemorySwap()).isEqualTo(512L << 20);
        assertThat(hc.getNanoCPUs()).isEqualTo(1_500_000_000L);
        assertThat(hc.getShmSize()).isEqualTo(96L << 20);
    }

    @Test
    void stopGivesTheTaskItsGraceThenKillsWhatIgnoresIt() throws Exception {
        var polite = fx.start("""
                import signal, sys, time
                def bye(*_):
                    print('cleaning up', flush=True); sys.exit(0)
                signal.signal(signal.SIGTERM, bye)
                print('ready', flush=True)
                time.sleep(60)
                """);
        waitForLine(polite, "ready");
        long t0 = System.nanoTime();
        polite.process().stop();
        assertThat(polite.process().waitFor(Duration.ofSeconds(30))).isTrue();
        polite.drain();
        assertThat(polite.text("stdout")).contains("cleaning up");
        assertThat((System.nanoTime() - t0) / 1e9).isLessThan(20);

        var stubborn = fx.start("""
                import signal, time
                signal.signal(signal.SIGTERM, signal.SIG_IGN)
                print('ready', flush=True)
                time.sleep(60)
                """, DockerSettings.defaults(), ExtraArgs.none(), List.of(), Map.of(), Set.of(), Duration.ofSeconds(1));
        waitForLine(stubborn, "ready");
        t0 = System.nanoTime();
        stubborn.process().stop();
        assertThat(stubborn.process().waitFor(Duration.ofSeconds(40))).isTrue();
        RunResult r = stubborn.process().waitFor();
        assertThat(r.exitCode()).isEqualTo(137);
        assertThat((System.nanoTime() - t0) / 1e9).as("grace 1 s + margin, loosely").isLessThan(30);
        assertThat(DockerEngineTest.idsWhenGone(fx.engine.client(), "fixture-agent")).isEmpty();
    }

    @Test
    void anImageWithoutPythonFailsTheBuildWithAClearMessage() throws Exception {
        ImageRef busybox = fx.engine.ensureImage(DockerTestSupport.BUSYBOX, PullPolicy.NEVER, l -> { });
        var b = new ContainerEnvBuilder(fx.engine, DockerSettings.defaults(), busybox, Map.of(), "fixture-agent", "t1");
        Path envDir = Files.createDirectories(dir.resolve("busybox-env"));
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> b.build(io.drover.agent.env.EnvironmentSpec.none(), envDir, l -> { }))
                .hasMessageContaining("python3").hasMessageContaining(DockerTestSupport.BUSYBOX);
    }

    static void waitForLine(ContainerFixture.Started s, String line) throws InterruptedException {
        long end = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (!s.text("stdout").contains(line)) {
            if (System.nanoTime() > end) throw new AssertionError("no '" + line + "' in " + s.lines());
            Thread.sleep(50);
        }
    }
}

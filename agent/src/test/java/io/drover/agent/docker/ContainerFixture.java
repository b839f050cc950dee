package io.drover.agent.docker;

import io.drover.agent.capture.HookDir;
import io.drover.agent.capture.LogLine;
import io.drover.agent.capture.StreamPump;
import io.drover.agent.env.Environment;
import io.drover.agent.env.EnvironmentCache;
import io.drover.agent.env.EnvironmentSpec;
import io.drover.agent.launch.LaunchSpec;
import io.drover.agent.launch.ProcessLauncher;
import io.drover.agent.launch.TaskProcess;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;

/** An agent-like layout in a temp dir (workspace, env cache, hooks, shim, task dir) and a venv built in the Python image. */
final class ContainerFixture {
    final Path root;
    final DockerEngine engine;
    final ImageRef image;
    final Path workspace;
    final Path taskDir;
    final Path hooks;
    final Path shim;
    final EnvironmentCache cache;
    final Environment env;
    final List<String> buildLog = new CopyOnWriteArrayList<>();

    ContainerFixture(Path root) throws Exception {
        this.root = root;
        this.engine = DockerTestSupport.engine();
        this.image = engine.ensureImage(DockerTestSupport.pythonImage(), PullPolicy.NEVER, l -> { });
        this.workspace = Files.createDirectories(root.resolve("slots/0/repo"));
        this.taskDir = Files.createDirectories(root.resolve("tasks/t1"));
        this.hooks = HookDir.install(root.resolve("hooks"));
        this.shim = new ProcessLauncher("python3", root.resolve("bin")).shim();
        this.cache = new EnvironmentCache(root.resolve("envs"));
        this.env = cache.get(builder(Map.of()), EnvironmentSpec.none().withImage(image.id()), buildLog::add);
    }

    ContainerEnvBuilder builder(Map<String, String> buildEnv) {
        return new ContainerEnvBuilder(engine, DockerSettings.defaults(), image, buildEnv, "fixture-agent", "t1");
    }

    Mounts mounts() {
        return new Mounts(workspace, env.dir(), taskDir, hooks, shim);
    }

    /** What the runner gives a task: the agent's environment plus Drover's variables. */
    Map<String, String> taskEnv(Map<String, String> extra) {
        Map<String, String> e = new HashMap<>(System.getenv());
        e.put("DROVER_TASK_ID", "t1");
        e.put("DROVER_OUTPUT_DIR", taskDir.resolve("output").toString());
        e.put("PYTHONPATH", hooks.toString());
        e.put("PYTHONUNBUFFERED", "1");
        e.put("VIRTUAL_ENV", env.dir().toString());
        String path = System.getenv("PATH");
        e.put("PATH", env.dir().resolve("bin") + (path == null ? "" : ":" + path));
        e.putAll(extra);
        return e;
    }

    /** A started task and its collected output. */
    record Started(TaskProcess process, List<LogLine> lines, StreamPump out, StreamPump err) {
        List<String> text(String stream) {
            return lines.stream().filter(l -> l.stream().equals(stream)).map(LogLine::text).toList();
        }

        void drain() throws InterruptedException {
            out.join(10_000);
            err.join(10_000);
        }
    }

    Started start(String script, DockerSettings settings, ExtraArgs extra, List<Integer> gpus, Map<String, String> env,
            Set<String> secrets, Duration grace) throws IOException {
        Files.writeString(workspace.resolve("main.py"), script);
        ContainerLauncher launcher = new ContainerLauncher(engine, settings, "fixture-agent", "t1", image, extra, mounts(), gpus,
                secrets);
        LaunchSpec spec = new LaunchSpec(List.of(this.env.python().toString(), "main.py"), workspace, taskEnv(env),
                taskDir.resolve("result.json"), grace);
        TaskProcess p = launcher.start(spec);
        List<LogLine> lines = new CopyOnWriteArrayList<>();
        StreamPump out = new StreamPump(p.stdout(), "stdout", lines::add, "t1");
        StreamPump err = new StreamPump(p.stderr(), "stderr", lines::add, "t1");
        return new Started(p, lines, out, err);
    }

    Started start(String script) throws IOException {
        return start(script, DockerSettings.defaults(), ExtraArgs.none(), List.of(), Map.of(), Set.of(), Duration.ofSeconds(5));
    }
}

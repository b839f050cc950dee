package io.drover.agent.docker;

import io.drover.agent.capture.HookDir;
import io.drover.agent.capture.StreamPump;
import io.drover.agent.env.Environment;
import io.drover.agent.env.EnvironmentCache;
import io.drover.agent.env.EnvironmentSpec;
import io.drover.agent.env.PipVenvBuilder;
import io.drover.agent.launch.LaunchSpec;
import io.drover.agent.launch.ProcessLauncher;
import io.drover.agent.launch.TaskLauncher;
import io.drover.agent.launch.TaskProcess;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * Start overhead of Docker mode: the same trivial task (prints a line, exits) started N times
 * through the agent's process launcher and through its container launcher, warm (environment
 * built, image local). Measures launch → first output line and launch → ended (container removed).
 * Run by scripts/bench/docker-overhead.sh.
 */
public final class DockerOverheadBench {
    public static void main(String[] args) throws Exception {
        int n = args.length > 0 ? Integer.parseInt(args[0]) : 20;
        int warmup = 2;
        Path root = Files.createTempDirectory("drover-docker-bench");
        DockerEngine engine = DockerTestSupport.engine();
        ImageRef image = engine.ensureImage(DockerTestSupport.pythonImage(), PullPolicy.NEVER, l -> { });
        Path workspace = Files.createDirectories(root.resolve("slots/0/repo"));
        Files.writeString(workspace.resolve("main.py"), "print('ready')\n");
        Path hooks = HookDir.install(root.resolve("hooks"));
        ProcessLauncher processes = new ProcessLauncher("python3", root.resolve("bin"));
        EnvironmentCache cache = new EnvironmentCache(root.resolve("envs"));
        Environment hostEnv = cache.get(new PipVenvBuilder(io.drover.agent.env.PythonInfo.executable("python3")),
                EnvironmentSpec.none(), l -> { });
        Environment imageEnv = cache.get(new ContainerEnvBuilder(engine, DockerSettings.defaults(), image, Map.of(), "bench-agent",
                "bench"), EnvironmentSpec.none().withImage(image.id()), l -> { });
        Path taskDir = Files.createDirectories(root.resolve("tasks/bench"));
        TaskLauncher docker = new ContainerLauncher(engine, DockerSettings.defaults(), "bench-agent", "bench", image, ExtraArgs.none(),
                new Mounts(workspace, imageEnv.dir(), taskDir, hooks, processes.shim()), List.of(), Set.of());

        System.out.printf("Docker-mode start overhead, trivial task (print + exit), %d runs each after %d warm-up; engine %s%n",
                n, warmup, engine.host());
        double[][] proc = measure(processes, spec(hostEnv, workspace, taskDir, hooks), n, warmup);
        double[][] cont = measure(docker, spec(imageEnv, workspace, taskDir, hooks), n, warmup);
        System.out.printf("%-26s %12s %12s %12s %12s%n", "", "first line", "(p90)", "ended", "(p90)");
        row("process (supervisor shim)", proc);
        row("docker (container + shim)", cont);
        System.out.printf("ratio docker / process: first line %.1fx, ended %.1fx; overhead +%.0f ms to first line, +%.0f ms to end%n",
                median(cont[0]) / median(proc[0]), median(cont[1]) / median(proc[1]),
                median(cont[0]) - median(proc[0]), median(cont[1]) - median(proc[1]));
        io.drover.agent.capture.OutputFiles.deleteTree(root);
        System.exit(0);
    }

    static LaunchSpec spec(Environment env, Path workspace, Path taskDir, Path hooks) {
        Map<String, String> e = new HashMap<>(System.getenv());
        e.put("PYTHONPATH", hooks.toString());
        e.put("PYTHONUNBUFFERED", "1");
        e.putAll(env.variables(System.getenv("PATH")));
        e.put("DROVER_TASK_ID", "bench");
        return new LaunchSpec(List.of(env.python().toString(), "main.py"), workspace, e, taskDir.resolve("result.json"),
                Duration.ofSeconds(5));
    }

    /** [0]: ms to the first stdout line, [1]: ms to the end. */
    static double[][] measure(TaskLauncher launcher, LaunchSpec spec, int n, int warmup) throws Exception {
        double[][] out = new double[2][n];
        for (int i = -warmup; i < n; i++) {
            CountDownLatch first = new CountDownLatch(1);
            long t0 = System.nanoTime();
            TaskProcess p = launcher.start(spec);
            long[] tFirst = {0};
            StreamPump o = new StreamPump(p.stdout(), "stdout", l -> {
                if (tFirst[0] == 0) tFirst[0] = System.nanoTime();
                first.countDown();
            }, "bench");
            StreamPump e = new StreamPump(p.stderr(), "stderr", l -> System.err.println("task stderr: " + l.text()), "bench");
            if (!first.await(60, TimeUnit.SECONDS)) throw new IllegalStateException("no output from the task");
            int code = p.waitFor().exitCode();
            long tEnd = System.nanoTime();
            o.join(5000);
            e.join(5000);
            if (code != 0) throw new IllegalStateException("the task exited with " + code);
            if (i >= 0) {
                out[0][i] = (tFirst[0] - t0) / 1e6;
                out[1][i] = (tEnd - t0) / 1e6;
            }
        }
        return out;
    }

    static void row(String name, double[][] m) {
        System.out.printf("%-26s %9.0f ms %9.0f ms %9.0f ms %9.0f ms%n", name, median(m[0]), p90(m[0]), median(m[1]), p90(m[1]));
    }

    static double median(double[] v) {
        return pct(v, 0.5);
    }

    static double p90(double[] v) {
        return pct(v, 0.9);
    }

    static double pct(double[] v, double q) {
        double[] s = v.clone();
        java.util.Arrays.sort(s);
        return s[Math.min(s.length - 1, (int) Math.ceil(q * s.length) - 1)];
    }
}

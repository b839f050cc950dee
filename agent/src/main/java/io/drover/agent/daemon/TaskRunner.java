package io.drover.agent.daemon;

import static io.drover.agent.daemon.Preparation.stopIfAsked;
import static io.drover.agent.daemon.Preparation.untilStopped;
import static io.drover.agent.daemon.TaskEnd.endEarly;
import static io.drover.agent.daemon.TaskReports.directives;
import static io.drover.agent.daemon.TaskReports.reportParams;
import static io.drover.agent.daemon.TaskReports.uploadOutputs;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.drover.agent.AgentConfig;
import io.drover.agent.AgentNames;
import io.drover.agent.capture.CapturedParams;
import io.drover.agent.capture.LogLine;
import io.drover.agent.capture.DirectiveCapture;
import io.drover.agent.capture.LogShipper;
import io.drover.agent.capture.LogSink;
import io.drover.agent.capture.OutputFiles;
import io.drover.agent.capture.SecretMask;
import io.drover.agent.capture.StreamPump;
import io.drover.agent.spool.Spool;
import io.drover.agent.capture.TailBuffer;
import io.drover.agent.docker.DockerMode;
import io.drover.agent.docker.DockerTask;
import io.drover.agent.docker.Mounts;
import io.drover.agent.env.EnvBuildException;
import io.drover.agent.env.Environment;
import io.drover.agent.env.EnvironmentHandle;
import io.drover.agent.env.EnvironmentRequest;
import io.drover.agent.env.Environments;
import io.drover.agent.launch.ArgTokenizer;
import io.drover.agent.launch.LaunchSpec;
import io.drover.agent.launch.ProcessLauncher;
import io.drover.agent.launch.RunResult;
import io.drover.agent.launch.TaskLauncher;
import io.drover.agent.launch.TaskProcess;
import io.drover.agent.workspace.Checkout;
import io.drover.agent.workspace.GitCredentials;
import io.drover.agent.workspace.WorkspaceException;
import io.drover.shared.client.ApiClient;
import io.drover.shared.domain.DroverException;
import io.drover.shared.json.Json;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs one claimed task in a slot, start to end: code → environment → process → capture →
 * final status. Every outcome a user can cause ends as a task status with a reason; a lost lease
 * ends silently (someone else owns the task now).
 *
 * <p>Its pieces: {@link Preparation} (steps an abort can cut short), {@link TaskReports} (params,
 * directives and outputs sent while and after it runs), {@link TaskEnd} (ending a task that never
 * got to its process); the environment and the launch are {@code env/}, {@code docker/} and
 * {@code launch/}.
 */
final class TaskRunner {
    private static final Logger LOG = LoggerFactory.getLogger(TaskRunner.class);
    static final Duration FINAL_WRITE_RETRY = Duration.ofSeconds(60);
    private static final int STDERR_TAIL = 20;
    /** The project secret used as the password for http(s) clones of the task's repository. */
    static final String GIT_TOKEN = "GIT_TOKEN";

    private final AgentConfig config;
    private final ApiClient api;
    private final Environments envs;
    private final ProcessLauncher launcher;
    private final Path hookDir;
    /** Tasks with a {@code container} (or every task, with --docker-image) run in Docker. */
    private final DockerMode docker;

    TaskRunner(AgentConfig config, ApiClient api, Environments envs,
            ProcessLauncher launcher, Path hookDir) {
        this.config = config;
        this.api = api;
        this.envs = envs;
        this.launcher = launcher;
        this.hookDir = hookDir;
        this.docker = new DockerMode(config.docker(), config.name(), config.python(), config.buildEnv(), envs.cache());
        docker.removeLeftoversInBackground(); // containers of this agent's earlier run (crash, kill -9)
        // Spooled lines of an earlier run of this agent are not replayed: its tasks' leases are gone
        // with it (the tasks are requeued and rerun), so what waited there cannot be delivered.
        try {
            Spool.deleteTree(config.spoolDir());
        } catch (IOException e) {
            LOG.warn("cannot clear the log spool {} of an earlier run: {}", config.spoolDir(), e.toString());
        }
    }

    /** The task's log spool, or null (then lines wait in memory, as before) when the disk refuses it. */
    private Spool openSpool(TaskRun run) {
        try {
            return Spool.fresh(config.spoolDir().resolve(run.taskId), config.spool().maxBytes());
        } catch (IOException | RuntimeException e) {
            LOG.warn("task {}: no log spool at {} ({}); while the controller is unreachable its lines wait in memory only",
                    run.taskId, config.spoolDir(), e.toString());
            return null;
        }
    }

    /** Stop waiting for an unreachable controller: the lease is gone, or the agent hands the task back. */
    private static BooleanSupplier givingUp(TaskRun run) {
        return () -> run.stop() == TaskRun.Stop.ABANDON || run.stop() == TaskRun.Stop.RELEASE;
    }

    void run(Slot slot, TaskRun run) {
        LeaseApi lease = new LeaseApi(api, run.taskId, run.epoch, run.token);
        LogShipper shipper = new LogShipper(new LogSink() {
            @Override
            public void send(long batch, List<LogLine> lines) {
                try {
                    lease.logs(batch, lines);
                } catch (LeaseLostException e) {
                    throw new LogSink.LeaseLost(e.getMessage());
                }
            }
        }, run.taskId, run.mask, openSpool(run));
        Consumer<String> console = text -> shipper.add(LogLine.stdout(text));
        Path taskDir = config.tasksDir().resolve(run.taskId);
        long t0 = System.nanoTime();
        EnvironmentHandle envUse = envs.handle(); // in use (not evictable) until the task ends
        DockerTask[] inDocker = {null}; // closed at the end: its environment is evictable again
        try {
            JsonNode script = run.task.path("script");
            console.accept("[drover] task " + run.taskId + " on agent " + config.name() + " (attempt "
                    + run.task.path("execution").path("attempt").asText("?") + ")");
            if (run.gpusManaged()) {
                console.accept("[drover] GPUs " + (run.gpus().isEmpty() ? "none" : run.gpus().toString())
                        + ": CUDA_VISIBLE_DEVICES=" + run.deviceEnv().get("CUDA_VISIBLE_DEVICES"));
            }
            DockerTask container = inDocker[0] = dockerTask(run);
            Checkout checkout = untilStopped(run, () -> checkout(slot, run, lease, script, console));
            long tCode = System.nanoTime();
            stopIfAsked(run);
            Path workDir = resolveInside(checkout.root(), text(script, "workingDir", "."), "working dir");
            Environment env = untilStopped(run, () -> environment(run, envUse, container, checkout, workDir, script, console));
            long tEnv = System.nanoTime();
            io.drover.agent.metrics.AgentMetrics.get().environment(env.cacheHit(), tEnv - tCode);
            stopIfAsked(run);
            CompletableFuture<Void> reported = reportAsync(lease, checkout, env, givingUp(run));

            Files.createDirectories(taskDir);
            Path outputDir = taskDir.resolve("output");
            OutputFiles.reset(outputDir);
            Path captureFile = taskDir.resolve("params.json");
            Files.deleteIfExists(captureFile);
            ScalarRelay scalars = new ScalarRelay(Files.createDirectories(taskDir.resolve("scalars")), console,
                    config.spool().maxBytes());
            String entry = text(script, "entryPoint", null);
            if (entry == null) throw new TaskFailed("the task has no script.entryPoint to run");
            Path entryFile = resolveInside(workDir, entry, "entry point");
            if (!Files.isRegularFile(entryFile)) {
                throw new TaskFailed("entry point " + entry + " not found in " + workDir.getFileName()
                        + " at commit " + checkout.resolvedCommit() + ": check --script and the working dir");
            }
            List<String> cmd = new ArrayList<>(List.of(env.python().toString(), entry));
            try {
                cmd.addAll(ArgTokenizer.split(text(script, "args", "")));
            } catch (IllegalArgumentException e) {
                throw new TaskFailed("cannot parse the task's args: " + e.getMessage());
            }
            Map<String, String> taskEnv = environment(run, env, outputDir, captureFile);
            taskEnv.put("DROVER_SCALARS_DIR", scalars.dir().toString()); // the Python client's batches, posted by us
            LaunchSpec spec = new LaunchSpec(cmd, workDir, taskEnv,
                    taskDir.resolve("result.json"), config.grace());

            TailBuffer stderrTail = new TailBuffer(STDERR_TAIL);
            TaskLauncher how = container == null ? launcher
                    : container.launcher(new Mounts(checkout.root(), env.dir(), taskDir, hookDir, launcher.shim()), run.gpus());
            TaskProcess proc;
            try {
                proc = how.start(spec);
            } catch (IOException e) {
                throw new TaskFailed("cannot start " + cmd.get(0) + ": " + e.getMessage());
            }
            run.attach(proc);
            LOG.info("task {}: started in {} ms (code {} ms, environment {} ms{})", run.taskId, ms(t0), ms(t0, tCode),
                    ms(tCode, tEnv), env.cacheHit() ? ", cached" : "");
            DirectiveCapture directives = directives(lease, run); // "::drover metric ..." lines (non-Python code)
            StreamPump out = new StreamPump(proc.stdout(), "stdout", l -> {
                directives.accept(l.text());
                shipper.add(l);
            }, run.taskId);
            StreamPump err = new StreamPump(proc.stderr(), "stderr", l -> {
                stderrTail.add(l.text());
                shipper.add(l);
            }, run.taskId);
            Map<String, String> lastParams = Map.of();
            while (!proc.waitFor(Duration.ofSeconds(1))) {
                lastParams = reportParams(lease, captureFile, lastParams, run.mask);
                scalars.forward(lease);
                if (shipper.leaseLost()) run.abandon("lease lost");
            }
            RunResult result = proc.waitFor();
            out.join(5_000);
            err.join(5_000);
            directives.close(Duration.ofSeconds(5));
            if (run.stop() == TaskRun.Stop.ABANDON || shipper.leaseLost()) {
                LOG.info("task {}: lease lost, abandoned without reporting", run.taskId);
                return;
            }
            // what waited during an outage is delivered before the final status: params, scalars, the report
            Map<String, String>[] sentParams = new Map[] {lastParams};
            TaskReports.untilDelivered(() -> {
                sentParams[0] = reportParams(lease, captureFile, sentParams[0], run.mask);
                Map<String, String> now = CapturedParams.read(captureFile);
                return now.isEmpty() || now.equals(sentParams[0]);
            }, givingUp(run));
            TaskReports.untilDelivered(() -> scalars.forward(lease), givingUp(run));
            joinQuietly(reported);
            if (run.stop() == TaskRun.Stop.RELEASE) {
                console.accept("[drover] " + run.reason() + ": handing the task back to its queue");
                shipper.close(Duration.ofSeconds(5));
                lease.release(run.reason(), Duration.ofSeconds(10));
                return;
            }
            List<String> uploadFailures = uploadOutputs(lease, outputDir, console, givingUp(run));
            ObjectNode finish = Json.object();
            finish.put("exitCode", result.exitCode());
            if (result.maxRssKb() != null) finish.put("maxRssKb", result.maxRssKb());
            if (result.cpuSeconds() != null) finish.put("cpuSeconds", result.cpuSeconds());
            if (run.stop() == TaskRun.Stop.ABORT) {
                finish.put("status", "aborted");
                finish.put("reason", run.reason());
                console.accept("[drover] aborted: " + run.reason());
            } else if (result.exitCode() == 0) {
                finish.put("status", "completed");
            } else {
                finish.put("status", "failed");
                finish.put("reason", run.mask.apply(failureReason(result, stderrTail.lines())));
                console.accept("[drover] process exited with code " + result.exitCode());
            }
            TaskReports.noteUploadFailures(lease, finish, uploadFailures, run.mask);
            shipper.closeDelivering(givingUp(run)); // every line, spooled ones too, before the status
            if (!lease.finishDelivered(finish, givingUp(run))) {
                LOG.warn("task {}: its final status was not delivered ({}); the lease watchdog will requeue it", run.taskId, run.reason());
            }
        } catch (LeaseLostException e) {
            LOG.info("task {}: {}", run.taskId, e.getMessage());
        } catch (TaskFailed e) {
            endEarly(run, lease, shipper, console, e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (IOException | RuntimeException e) {
            LOG.warn("task {} failed in the agent", run.taskId, e);
            endEarly(run, lease, shipper, console, "agent error: " + e);
        } finally {
            envUse.close();
            if (inDocker[0] != null) inDocker[0].close();
            shipper.close(Duration.ofSeconds(5));
            try {
                OutputFiles.deleteTree(taskDir);
            } catch (IOException ignored) {
                // left for the next run to overwrite
            }
        }
    }

    private Checkout checkout(Slot slot, TaskRun run, LeaseApi lease, JsonNode script, Consumer<String> console)
            throws TaskFailed {
        String diff = null;
        if (script.hasNonNull("diff")) {
            diff = script.get("diff").asText();
        } else if (script.path("hasDiff").asBoolean(false)) {
            diff = lease.diff().path("diff").asText(null);
        }
        try {
            Checkout c = slot.workspace.prepare(text(script, "repo", null), text(script, "branch", null),
                    text(script, "commit", null), diff, new GitCredentials(run.secrets.get(GIT_TOKEN)), console);
            console.accept("[drover] code at " + c.resolvedCommit() + (c.diffApplied() ? " + uncommitted diff" : ""));
            return c;
        } catch (WorkspaceException e) {
            throw new TaskFailed(run.mask.apply(e.getMessage()));
        }
    }

    /** The task's {@code environment} {manager, python} (default auto) over the files of its checkout. */
    private static Environment environment(TaskRun run, EnvironmentHandle envUse, DockerTask container, Checkout checkout,
            Path workDir, JsonNode script, Consumer<String> console) throws TaskFailed, InterruptedException {
        JsonNode want = run.task.path("environment");
        EnvironmentRequest req = new EnvironmentRequest(text(want, "manager", null), text(want, "python", null),
                checkout.root(), workDir, text(script, "requirements", null), null, null);
        try {
            return container == null ? envUse.prepare(req, console) : container.environment(req, console); // in its image
        } catch (EnvBuildException e) {
            io.drover.agent.metrics.AgentMetrics.get().environmentFailed();
            throw new TaskFailed("cannot build the environment at commit " + checkout.resolvedCommit() + ": " + e.getMessage());
        }
    }

    /** The task's Docker side (null: a plain process); a bad {@code container} field fails the task with the reason. */
    private DockerTask dockerTask(TaskRun run) throws TaskFailed {
        try {
            return docker.forTask(run.task, run.taskId, run.secrets.keySet());
        } catch (IllegalArgumentException e) {
            throw new TaskFailed(e.getMessage());
        }
    }

    private CompletableFuture<Void> reportAsync(LeaseApi lease, Checkout checkout, Environment env, BooleanSupplier giveUp) {
        ObjectNode body = Json.object();
        body.put("resolvedCommit", checkout.resolvedCommit());
        ObjectNode captured = body.putObject("captured");
        captured.put("python", env.pythonVersion());
        captured.putPOJO("installedPackages", env.installedPackages());
        captured.putPOJO("environment", env.captured());
        captured.put("hostname", AgentNames.hostname());
        // off the launch path: the task starts while this is in flight; retried through an outage
        return CompletableFuture.runAsync(() -> {
            try {
                lease.reportDelivered(body, giveUp);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
    }

    private Map<String, String> environment(TaskRun run, Environment env, Path outputDir, Path captureFile) {
        Map<String, String> e = new HashMap<>(System.getenv());
        e.remove("PYTHONHOME");
        // the project's secrets; the DROVER_* and Python settings below win over a secret of the same name
        e.putAll(run.secrets);
        e.putAll(run.deviceEnv()); // CUDA_/NVIDIA_VISIBLE_DEVICES: only the task's own GPUs (issue 5)
        // The agent's own worker key must not reach user code; the task gets its lease token instead.
        e.remove(io.drover.agent.config.ClientConfig.ENV_API_KEY);
        e.put("DROVER_TASK_ID", run.taskId);
        // the controller the agent uses now (the Python client takes one URL; its writes go through the agent)
        e.put("DROVER_CONTROLLER", api.baseUri().toString());
        e.put("DROVER_OUTPUT_DIR", outputDir.toString());
        e.put("DROVER_PARAMS", Json.write(run.task.path("params").isObject() ? run.task.get("params") : Json.object()));
        if (run.token != null) e.put("DROVER_TASK_TOKEN", run.token);
        e.put("DROVER_TASK_EPOCH", String.valueOf(run.epoch)); // the Python client's writes carry it
        e.put("DROVER_CAPTURE_FILE", captureFile.toString());
        String pp = System.getenv("PYTHONPATH");
        e.put("PYTHONPATH", hookDir + (pp == null || pp.isEmpty() ? "" : java.io.File.pathSeparator + pp));
        e.put("PYTHONUNBUFFERED", "1");
        e.putAll(env.variables(System.getenv("PATH"))); // VIRTUAL_ENV or CONDA_PREFIX, and PATH (none for system)
        return e;
    }

    private static long ms(long from) {
        return ms(from, System.nanoTime());
    }

    private static long ms(long from, long to) {
        return (to - from) / 1_000_000;
    }

    static String failureReason(RunResult r, List<String> stderrTail) {
        StringBuilder b = new StringBuilder("exit code " + r.exitCode());
        if (r.signal() != null) b.append(" (killed by signal ").append(r.signal()).append(')');
        if (!stderrTail.isEmpty()) b.append(":\n").append(String.join("\n", stderrTail));
        return b.toString();
    }

    private static Path resolveInside(Path root, String rel, String what) throws TaskFailed {
        Path p = root.resolve(rel).normalize();
        if (!p.startsWith(root)) throw new TaskFailed("the task's " + what + " '" + rel + "' points outside the repository");
        return p;
    }

    private static String text(JsonNode n, String field, String dflt) {
        JsonNode v = n.get(field);
        return v == null || v.isNull() || v.asText().isEmpty() ? dflt : v.asText();
    }

    /** Waits for the run's report (it retries through an outage until delivered or given up). */
    private static void joinQuietly(CompletableFuture<Void> f) {
        try {
            f.get();
        } catch (Exception e) {
            if (e.getCause() instanceof LeaseLostException l) throw l;
            LOG.debug("report failed: {}", e.toString());
        }
    }
}

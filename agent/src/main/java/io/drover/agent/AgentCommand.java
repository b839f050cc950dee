package io.drover.agent;

import io.drover.agent.config.ClientConfig;
import io.drover.shared.domain.DroverException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code drover agent}: runs the worker daemon in the foreground until SIGTERM / Ctrl-C. */
@Command(name = "agent", mixinStandardHelpOptions = true,
        description = "Run an agent: take tasks from queues and run them on this machine.")
public final class AgentCommand implements Callable<Integer> {
    @Option(names = "--controller", paramLabel = "URL[,URL...]",
            description = "Controller URL, or several comma-separated: the agent uses one at a time and fails over to the next "
                    + "(default: $DROVER_CONTROLLER, else \"controller\" in $DROVER_HOME/config.json, else http://127.0.0.1:8080).")
    String controller;

    @Option(names = "--api-key", paramLabel = "KEY",
            description = "Worker key (default: $DROVER_API_KEY, else \"agentKey\", else \"apiKey\" in $DROVER_HOME/config.json). "
                    + "Prefer the environment or the file: a flag shows in the process list.")
    String apiKey;

    @Option(names = "--queue", paramLabel = "NAME", description = "Queue to serve, repeatable, first = most important (default: default).")
    List<String> queues = new ArrayList<>();

    @Option(names = "--order-fairness", description = "Take the queues round-robin instead of in order.")
    boolean orderFairness;

    @Option(names = "--name", paramLabel = "NAME", description = "Worker name (default: host name + a suffix of the work dir).")
    String name;

    @Option(names = "--work-dir", paramLabel = "DIR", description = "Repos, environments and task files (default: $DROVER_HOME/agent, i.e. ~/.drover/agent).")
    Path workDir;

    // read by DroverCli.main from the raw arguments (the log backend is chosen before parsing); here for --help
    @Option(names = "--log-format", paramLabel = "text|json",
            description = "Log as text lines (default) or one JSON object per line on stderr (env DROVER_LOG_FORMAT).")
    String logFormat;

    @Option(names = "--drain-on-stop", description = "On SIGTERM let the running task finish instead of requeueing it.")
    boolean drainOnStop;

    @Option(names = "--python", paramLabel = "PYTHON", defaultValue = "python3",
            description = "System Python used to build venvs (default: ${DEFAULT-VALUE}).")
    String python;

    @Option(names = "--grace-seconds", paramLabel = "N", defaultValue = "10",
            description = "Seconds between SIGTERM and SIGKILL when a task is stopped (default: ${DEFAULT-VALUE}).")
    int graceSeconds;

    @Option(names = "--env-cache-max", paramLabel = "N", defaultValue = "" + io.drover.agent.env.EnvCacheConfig.DEFAULT_MAX_ENTRIES,
            description = "Most Python environments kept in the cache; the least recently used go first (default: ${DEFAULT-VALUE}).")
    int envCacheMax;

    @Option(names = "--env-cache-min-free-mb", paramLabel = "MB", defaultValue = "" + io.drover.agent.env.EnvCacheConfig.DEFAULT_MIN_FREE_MB,
            description = "Evict least recently used environments while the disk has less than this free, 0: never (default: ${DEFAULT-VALUE}).")
    long envCacheMinFreeMb;

    @Option(names = "--gpus", paramLabel = "all|0,1,…",
            description = "GPUs this agent hands out to tasks: all, indexes like 0,1 (see nvidia-smi -L), or none (default). "
                    + "Each task gets CUDA_VISIBLE_DEVICES set to its own free GPUs; a task asking for more GPUs than are free waits in its queue.")
    String gpus;

    @Option(names = "--max-parallel", paramLabel = "N", defaultValue = "1",
            description = "CPU-only tasks run at once (services mode); GPU tasks are bounded by the free GPUs (default: ${DEFAULT-VALUE}).")
    int maxParallel;

    @Option(names = "--nvidia-smi", paramLabel = "PATH",
            description = "The nvidia-smi to read GPUs from (default: nvidia-smi on PATH).")
    String nvidiaSmi;

    @Option(names = "--spool-dir", paramLabel = "DIR",
            description = "Where a task's log lines wait on disk while the controller or its store is unreachable, delivered in order once it answers (default: spool under the work dir).")
    Path spoolDir;

    @Option(names = "--spool-max-mb", paramLabel = "MB", defaultValue = "" + io.drover.agent.spool.SpoolConfig.DEFAULT_MAX_MB,
            description = "Bound of the spool per running task; when full the oldest lines are dropped and a console line says how many (default: ${DEFAULT-VALUE}).")
    long spoolMaxMb;

    /** --docker-image, --docker-host, --docker-memory, --docker-cpus, --docker-volume-prefix, --docker-network. */
    @Mixin
    io.drover.agent.docker.DockerOptions docker = new io.drover.agent.docker.DockerOptions();

    /** --metrics-port, --metrics-host: Prometheus /metrics and /health (io.drover.agent.metrics). */
    @Mixin
    io.drover.agent.metrics.MetricsOptions metrics = new io.drover.agent.metrics.MetricsOptions();

    @Override
    public Integer call() throws Exception {
        AgentConfig cfg;
        io.drover.agent.daemon.ParallelConfig parallel;
        try {
            Map<String, String> env = System.getenv();
            String url = ClientConfig.controller(controller, env).value();
            cfg = new AgentConfig(url, queues, orderFairness, name, workDir, drainOnStop, python,
                    Duration.ofSeconds(Math.max(0, graceSeconds)), 20, Map.of(), ClientConfig.agentKey(apiKey, env),
                    new io.drover.agent.env.EnvCacheConfig(envCacheMax, envCacheMinFreeMb), docker.settings(),
                    new io.drover.agent.spool.SpoolConfig(spoolDir, spoolMaxMb));
            for (String q : cfg.queues()) io.drover.shared.domain.Ids.requireName(q, "queue");
            io.drover.shared.domain.Ids.requireName(cfg.name(), "agent name");
            parallel = new io.drover.agent.daemon.ParallelConfig(io.drover.agent.gpu.GpuSelection.parse(gpus), maxParallel, nvidiaSmi);
        } catch (IllegalArgumentException | DroverException e) {
            System.err.println("drover agent: " + e.getMessage());
            return 2;
        }
        System.err.println("drover agent " + cfg.name() + ": controller " + cfg.controllerUrl() + ", queues "
                + cfg.queues() + (cfg.orderFairness() ? " (round-robin)" : "") + ", work dir " + cfg.workDir()
 + ", python " + cfg.python() + ", env cache " + cfg.envCache().maxEntries() + " / " + cfg.envCache().minFreeMb() + " MB free"
                + ", grace " + cfg.grace().toSeconds() + " s"
                + (cfg.drainOnStop() ? ", drain on stop" : "")
                + (cfg.docker().defaultImage() != null ? ", Docker image " + cfg.docker().defaultImage() : "")
                + ", GPUs " + parallel.gpus() + ", up to " + parallel.maxParallel() + " CPU task(s) at once"
                + (cfg.apiKey() == null ? ", no API key (fine only while the controller runs without auth)" : ", with an API key"));
        io.drover.agent.metrics.MetricsServer metricsServer;
        try {
            metricsServer = metrics.start();
        } catch (IllegalArgumentException e) {
            System.err.println("drover agent: " + e.getMessage());
            return 2;
        }
        System.err.println("drover agent " + cfg.name() + ": " + io.drover.agent.metrics.MetricsOptions.describe(metricsServer));
        Agent agent;
        try {
            agent = Agent.start(cfg, parallel);
        } catch (IllegalArgumentException e) { // --gpus names a GPU nvidia-smi does not list
            System.err.println("drover agent: " + e.getMessage());
            return 2;
        }
        Thread hook = new Thread(() -> {
            agent.stop();
            try {
                // a drained task may take long; systemd's TimeoutStopSec bounds it from outside
                agent.awaitStopped(cfg.drainOnStop() ? Duration.ofDays(1) : cfg.grace().plusSeconds(20));
            } catch (InterruptedException ignored) {
                // exiting anyway
            }
        }, "drover-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);
        agent.awaitStopped(Duration.ofDays(36500));
        return 0;
    }
}

package io.drover.agent.daemon;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.drover.agent.AgentConfig;
import io.drover.agent.AgentNames;
import io.drover.agent.capture.HookDir;
import io.drover.agent.env.DiskProbe;
import io.drover.agent.env.EnvironmentCache;
import io.drover.agent.env.Environments;
import io.drover.agent.env.PythonInfo;
import io.drover.agent.gpu.GpuAllocator;
import io.drover.agent.gpu.GpuMonitor;
import io.drover.agent.gpu.GpuStat;
import io.drover.agent.gpu.NvidiaSmi;
import io.drover.agent.launch.ProcessLauncher;
import io.drover.agent.workspace.RepoCache;
import io.drover.agent.workspace.SlotWorkspace;
import io.drover.shared.client.ApiClient;
import io.drover.shared.domain.DroverException;
import io.drover.shared.domain.ErrorCode;
import io.drover.shared.json.Json;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The agent's threads: registration and the claim long-poll (one thread), the heartbeat (a
 * scheduler), the control long-poll for aborts (one thread) and one runner thread per slot.
 *
 * <p>Several tasks may run at once (issue 5): the claim loop asks only for what fits the free
 * {@link Capacity} (CPU-only slots up to {@code --max-parallel}, free GPUs), gives each claimed
 * task its GPUs and a {@link SlotPool slot}, and the heartbeat reports every held task.
 */
public final class WorkerDaemon {
    private static final Logger LOG = LoggerFactory.getLogger(WorkerDaemon.class);
    private static final String VERSION = "0.1.0";

    private final AgentConfig config;
    private final ApiClient api;
    private final ClaimClient claims;
    private final SlotPool slots;
    private final Capacity capacity;
    private final GpuMonitor gpus;
    private final GpuUsage gpuUsage;
    private final TaskRunner runner;
    private final MachineStats stats;
    private final ExecutorService slotThreads;
    private final ScheduledExecutorService heartbeat;
    private final Thread claimThread;
    private final Thread controlThread;
    private final CountDownLatch registered = new CountDownLatch(1);
    private final CountDownLatch stopped = new CountDownLatch(1);
    private final AtomicInteger running = new AtomicInteger();
    private volatile boolean stopping;
    /** The claim poll in flight (null between polls): abandoned when room frees or the agent stops. */
    private volatile ClaimPoll inFlight;
    private volatile int heartbeatSeconds = 5;
    private final io.drover.agent.metrics.AgentMetrics.Source metricsSource;

    public WorkerDaemon(AgentConfig config) {
        this(config, ParallelConfig.defaults());
    }

    /** @throws IllegalArgumentException when {@code --gpus} names GPUs this machine does not have */
    public WorkerDaemon(AgentConfig config, ParallelConfig parallel) {
        this.config = config;
        String apiKey = config.apiKey(); // the worker key; null when the controller runs without auth
        this.api = new ApiClient(config.controllerUrl(), apiKey); // one or several controllers (failover)
        this.claims = new ClaimClient(api.nodes(), config.name(), apiKey);
        String python = PythonInfo.executable(config.python());
        RepoCache repos = new RepoCache(config.reposDir());
        this.gpus = new GpuMonitor(new NvidiaSmi(parallel.nvidiaSmi()));
        List<Integer> managed = parallel.gpus().isNone() ? List.of() : parallel.gpus().resolve(gpus.sample());
        this.capacity = new Capacity(parallel.maxParallel(), new GpuAllocator(managed));
        capacity.onRoomFreed(this::roomFreed);
        this.slots = new SlotPool(capacity.maxTasks(), repos, config.slotsDir());
        this.gpuUsage = new GpuUsage(api);
        ProcessLauncher launcher = new ProcessLauncher(python, config.workDir().resolve("bin"));
        Environments envs = Environments.forAgent(new EnvironmentCache(config.envsDir(), config.envCache(), DiskProbe.fileStore()),
                python, config.buildEnv());
        this.runner = new TaskRunner(config, api, envs, launcher, HookDir.install(config.hooksDir()));
        this.stats = new MachineStats(config.workDir());
        if (!managed.isEmpty()) LOG.info("agent {} hands out GPUs {}; up to {} CPU-only tasks at once", config.name(), managed, parallel.maxParallel());
        this.slotThreads = Executors.newFixedThreadPool(slots.size(), named("drover-slot"));
        this.heartbeat = Executors.newSingleThreadScheduledExecutor(named("drover-heartbeat"));
        this.claimThread = new Thread(this::claimLoop, "drover-claim");
        this.controlThread = new Thread(this::controlLoop, "drover-control");
        controlThread.setDaemon(true);
        this.metricsSource = io.drover.agent.metrics.AgentMetrics.get().addSource(new io.drover.agent.metrics.AgentMetrics.Source(running::get, slots::size, gpus::latest));
    }

    public void start() {
        claimThread.start();
    }

    public String name() {
        return config.name();
    }

    public boolean awaitRegistered(Duration timeout) throws InterruptedException {
        return registered.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** Number of tasks running now. */
    public int runningTasks() {
        return running.get();
    }

    /**
     * Stops claiming; with {@code drain} running tasks finish, otherwise they are stopped and
     * handed back to their queues with the reason "agent shut down". Returns at once.
     */
    public void stop(boolean drain) {
        if (stopping) return;
        stopping = true;
        claimThread.interrupt();
        ClaimPoll poll = inFlight;
        if (poll != null) poll.abandon(); // a claim answered meanwhile still arrives, and is handed back
        if (!drain) {
            for (TaskRun r : slots.running()) r.release("agent shut down");
        }
        Thread finisher = new Thread(() -> {
            slotThreads.shutdown();
            try {
                while (!slotThreads.awaitTermination(1, TimeUnit.SECONDS)) {
                    // draining may take as long as the task does
                }
            } catch (InterruptedException ignored) {
                // fall through to stop everything
            }
            heartbeat.shutdownNow();
            gpuUsage.close();
            controlThread.interrupt();
            io.drover.agent.metrics.AgentMetrics.get().removeSource(metricsSource);
            stopped.countDown();
        }, "drover-stop");
        finisher.setDaemon(true);
        finisher.start();
    }

    public boolean awaitStopped(Duration timeout) throws InterruptedException {
        return stopped.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    // ---- registration and claiming

    private void claimLoop() {
        Backoff backoff = new Backoff(Duration.ofMillis(500), Duration.ofSeconds(30));
        while (!stopping && !register()) {
            if (!sleep(backoff.next())) return;
        }
        backoff.reset();
        registered.countDown();
        heartbeat.scheduleWithFixedDelay(this::beat, heartbeatSeconds, heartbeatSeconds, TimeUnit.SECONDS);
        controlThread.start();
        while (!stopping) {
            ClaimFit fit;
            try {
                fit = capacity.awaitRoom();
            } catch (InterruptedException e) {
                break;
            }
            Optional<JsonNode> claim;
            long askedAt = System.nanoTime();
            // The full long-poll even while tasks run: room they free abandons it (roomFreed) and
            // the next poll asks with the bigger fit at once.
            ClaimPoll poll = new ClaimPoll(fit);
            inFlight = poll;
            // room freed between awaitRoom and publishing the poll: roomFreed may have missed it
            if (!capacity.fit().equals(Optional.of(fit))) poll.abandon();
            try {
                claim = claims.claim(config.queues(), config.orderFairness(), config.claimWaitSeconds(), poll);
                io.drover.agent.metrics.AgentMetrics.get().claim(claim.isPresent() ? "claimed" : "empty");
                backoff.reset();
            } catch (InterruptedException e) {
                break;
            } catch (DroverException e) {
                io.drover.agent.metrics.AgentMetrics.get().claim("error");
                if (e.code() == ErrorCode.NOT_FOUND) register();
                Duration pause = backoff.next();
                LOG.warn("claim failed: {}; retrying in {} ms", e.getMessage(), pause.toMillis());
                if (!sleep(pause)) break;
                continue;
            } catch (RuntimeException e) {
                io.drover.agent.metrics.AgentMetrics.get().claim("error");
                Duration pause = backoff.next();
                LOG.warn("claim failed: {}; retrying in {} ms", e, pause.toMillis());
                if (!sleep(pause)) break;
                continue;
            }
            if (claim.isEmpty()) {
                // a controller that answers "nothing" at once instead of waiting must not make us spin
                if (!poll.abandoned() && System.nanoTime() - askedAt < 1_000_000_000L && !sleep(backoff.next())) break;
                continue;
            }
            JsonNode task = claim.get().path("task");
            JsonNode lease = claim.get().path("lease");
            TaskRun run = new TaskRun(task, lease.path("epoch").asLong(), lease.path("token").asText(null),
                    TaskRun.secrets(claim.get().path("secrets")));
            if (stopping) {
                // claimed while stopping: give it straight back (the stop's interrupt would cut that call short)
                Thread.interrupted();
                releaseQuietly(run);
                break;
            }
            int wanted = run.gpusWanted();
            Optional<List<Integer>> room = capacity.take(run.taskId, wanted);
            if (room.isEmpty()) {
                // only a controller that ignores the claim's "gpus" gets here
                LOG.warn("task {} needs {} GPU(s) and this agent has {} free; handing it back", run.taskId, wanted,
                        capacity.gpus().free());
                releaseQuietly(run, "agent " + config.name() + " has no room for " + wanted + " GPU(s)");
                continue;
            }
            run.assignGpus(room.get(), capacity.managesGpus());
            LOG.info("claimed task {} ({}) epoch {}, queued {} ms before{}", run.taskId, task.path("name").asText(), run.epoch,
                    queuedMsAgo(task), capacity.managesGpus() ? ", GPUs " + room.get() : "");
            Slot slot = slots.take(run);
            running.incrementAndGet();
            gpuUsage.started(run);
            long claimedAt = System.nanoTime();
            slotThreads.execute(() -> {
                // task and worker ids on every log line of this task's thread (JSON log format)
                org.slf4j.MDC.put("taskId", run.taskId);
                org.slf4j.MDC.put("worker", config.name());
                try {
                    reportGpus(run);
                    runner.run(slot, run);
                } finally {
                    running.decrementAndGet();
                    io.drover.agent.metrics.AgentMetrics.get().taskRunTook(System.nanoTime() - claimedAt);
                    gpuUsage.ended(run);
                    slots.give(slot, run);
                    capacity.give(run.taskId, wanted);
                    LOG.info("task {} done", run.taskId);
                    org.slf4j.MDC.clear();
                }
            });
        }
    }

    /**
     * A task ended and gave its room back: a claim poll asking for less than now fits is abandoned,
     * so the claim loop asks again with the new fit at once instead of when that poll's wait ends.
     */
    private void roomFreed() {
        ClaimPoll poll = inFlight;
        if (poll != null && !capacity.fit().equals(Optional.of(poll.fit()))) poll.abandon();
    }

    private static String queuedMsAgo(JsonNode task) {
        try {
            return Long.toString(java.time.Duration.between(java.time.Instant.parse(
                    task.path("execution").path("queuedAt").asText()), java.time.Instant.now()).toMillis());
        } catch (RuntimeException e) {
            return "?";
        }
    }

    /** {@code execution.gpus} on the task, so users see which GPUs it ran on (only when this agent hands out GPUs). */
    private void reportGpus(TaskRun run) {
        if (!run.gpusManaged()) return;
        ObjectNode body = Json.object();
        body.putPOJO("gpus", run.gpus());
        try {
            new LeaseApi(api, run.taskId, run.epoch, run.token).report(body);
        } catch (RuntimeException e) {
            LOG.warn("task {}: cannot record its GPUs: {}", run.taskId, e.toString());
        }
    }

    private boolean register() {
        ObjectNode body = Json.object();
        body.put("name", config.name());
        body.putPOJO("queues", config.queues());
        body.put("hostname", AgentNames.hostname());
        body.put("pid", ProcessHandle.current().pid());
        body.put("version", VERSION);
        body.set("stats", sampleStats());
        try {
            // idempotent on the name: safe to send again to another controller
            JsonNode r = api.idempotent().post("/api/v1/workers", body).orElse(Json.object());
            heartbeatSeconds = Math.max(1, r.path("heartbeatSeconds").asInt(5));
            LOG.info("agent {} registered at {} for queues {}", config.name(), api.baseUri(), config.queues());
            return true;
        } catch (DroverException e) {
            LOG.warn("cannot register: {}", e.getMessage());
            return false;
        }
    }

    private void releaseQuietly(TaskRun run) {
        releaseQuietly(run, "agent shut down");
    }

    private void releaseQuietly(TaskRun run, String reason) {
        try {
            new LeaseApi(api, run.taskId, run.epoch, run.token).release(reason, Duration.ofSeconds(5));
        } catch (Exception e) {
            LOG.warn("cannot hand task {} back: {}", run.taskId, e.toString());
        }
    }

    // ---- heartbeat

    /** Machine figures and, where nvidia-smi works, every GPU with the task holding it ({@code stats.gpus}). */
    private ObjectNode sampleStats() {
        ObjectNode s = stats.sample();
        List<GpuStat> now = gpus.sample();
        if (!now.isEmpty()) s.set("gpus", GpuMonitor.toJson(now, i -> capacity.gpus().holder(i)));
        return s;
    }

    private void beat() {
        ObjectNode body = Json.object();
        body.set("stats", sampleStats());
        List<TaskRun> held = slots.running();
        gpuUsage.record(held, gpus.latest());
        ArrayNode tasks = body.putArray("tasks");
        for (TaskRun r : held) tasks.addObject().put("taskId", r.taskId).put("epoch", r.epoch);
        try {
            // a heartbeat only extends leases: safe to send again to another controller
            JsonNode resp = api.idempotent().post("/api/v1/workers/" + ApiClient.enc(config.name()) + "/heartbeat", body)
                    .orElse(Json.object());
            Set<String> stale = ids(resp.path("stale"));
            Set<String> abort = ids(resp.path("abort"));
            for (TaskRun r : held) {
                if (stale.contains(r.taskId)) {
                    LOG.warn("task {}: lease is stale, abandoning it", r.taskId);
                    r.abandon("lease lost");
                } else if (abort.contains(r.taskId)) {
                    r.abort("aborted by user");
                }
            }
            if (heartbeatFailingSince != 0) {
                LOG.info("heartbeats delivered again after {} s; the running tasks kept running",
                        (System.nanoTime() - heartbeatFailingSince) / 1_000_000_000L);
                heartbeatFailingSince = 0;
            }
        } catch (DroverException e) {
            io.drover.agent.metrics.AgentMetrics.get().heartbeatFailed();
            if (e.code() == ErrorCode.NOT_FOUND) register();
            else heartbeatFailed(e.getMessage());
        } catch (RuntimeException e) {
            io.drover.agent.metrics.AgentMetrics.get().heartbeatFailed();
            heartbeatFailed(e.toString());
        }
    }

    /** When the failing heartbeats began (nanoTime), 0 while they work; only the heartbeat thread touches it. */
    private long heartbeatFailingSince;

    /**
     * A heartbeat that fails (503 from a controller whose store is down, or no controller) costs no
     * task: they keep running and their writes wait on disk. Only the controller's answer "stale"
     * (the lease moved on) or a fencing 409 on a write ends a task. Logged once per outage.
     */
    private void heartbeatFailed(String why) {
        if (heartbeatFailingSince == 0) {
            heartbeatFailingSince = System.nanoTime();
            LOG.warn("heartbeat failed: {}; running tasks keep running, retrying every {} s", why, heartbeatSeconds);
        } else {
            LOG.debug("heartbeat failed again: {}", why);
        }
    }

    private static Set<String> ids(JsonNode arr) {
        Set<String> out = new HashSet<>();
        arr.forEach(n -> out.add(n.isObject() ? n.path("taskId").asText() : n.asText()));
        return out;
    }

    // ---- control long-poll (aborts)

    private void controlLoop() {
        Backoff backoff = new Backoff(Duration.ofMillis(500), Duration.ofSeconds(15));
        String path = "/api/v1/workers/" + ApiClient.enc(config.name()) + "/control?wait=25";
        while (!stopped()) {
            try {
                JsonNode resp = api.getLong(path, Duration.ofSeconds(40)).orElse(Json.object());
                backoff.reset();
                for (JsonNode a : resp.path("abort")) {
                    String id = a.path("taskId").asText();
                    long epoch = a.path("epoch").asLong(-1);
                    for (TaskRun r : slots.running()) {
                        if (r.taskId.equals(id) && (epoch < 0 || epoch == r.epoch)) {
                            LOG.info("task {}: abort requested", id);
                            r.abort(a.path("reason").asText("aborted by user"));
                        }
                    }
                }
            } catch (RuntimeException e) {
                if (stopped()) return;
                if (!sleep(backoff.next())) return;
            }
        }
    }

    private boolean stopped() {
        return stopped.getCount() == 0 || Thread.currentThread().isInterrupted();
    }

    private static boolean sleep(Duration d) {
        try {
            Thread.sleep(d.toMillis());
            return true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    private static java.util.concurrent.ThreadFactory named(String prefix) {
        AtomicInteger n = new AtomicInteger();
        return r -> {
            Thread t = new Thread(r, prefix + "-" + n.getAndIncrement());
            t.setDaemon(true);
            return t;
        };
    }
}

package io.drover.agent.docker;

import com.github.dockerjava.api.command.CreateContainerCmd;
import com.github.dockerjava.api.model.Bind;
import com.github.dockerjava.api.model.DeviceRequest;
import com.github.dockerjava.api.model.HostConfig;
import com.github.dockerjava.api.model.Volume;
import io.drover.agent.launch.LaunchSpec;
import io.drover.agent.launch.TaskLauncher;
import io.drover.agent.launch.TaskProcess;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

/**
 * Starts one task in a container of its image: the supervisor shim as PID 1 (mounted read-only, run
 * by the task's own interpreter), the task's environment, its mounts, limits and GPUs. Nothing
 * of the agent is installed in the image.
 */
public final class ContainerLauncher implements TaskLauncher {
    /**
     * The shim watches its stdin to notice a dead agent; a container's stdin is at end of file at
     * once, so this gives it a pipe that never ends (the write end stays open in the shim itself)
     * and then becomes the shim. A dead agent's containers are removed by its shutdown hook or at
     * its next start (labels).
     */
    static final String STDIN_KEEPER = "import os,sys;r,w=os.pipe();os.dup2(r,0);os.set_inheritable(w,True);"
            + "os.execv(sys.executable,[sys.executable,'-S']+sys.argv[1:])";

    /** Set by the runner for every task: passed even when the agent's own environment has the same value. */
    private static final Set<String> ALWAYS_PASSED = Set.of("PYTHONUNBUFFERED", "VIRTUAL_ENV", "PYTHONPATH", "PATH");

    private final DockerEngine engine;
    private final DockerSettings settings;
    private final String agentName;
    private final String taskId;
    private final ImageRef image;
    private final ExtraArgs extra;
    private final Mounts mounts;
    private final List<Integer> gpus;
    private final Set<String> secretNames;

    public ContainerLauncher(DockerEngine engine, DockerSettings settings, String agentName, String taskId, ImageRef image,
            ExtraArgs extra, Mounts mounts, List<Integer> gpus, Set<String> secretNames) {
        this.engine = engine;
        this.settings = settings;
        this.agentName = agentName;
        this.taskId = taskId;
        this.image = image;
        this.extra = extra;
        this.mounts = mounts;
        this.gpus = List.copyOf(gpus);
        this.secretNames = Set.copyOf(secretNames);
    }

    @Override
    public TaskProcess start(LaunchSpec spec) throws IOException {
        Path home = Files.createDirectories(mounts.taskDir().resolve("home"));
        List<String> cmd = new ArrayList<>(List.of(spec.command().get(0), "-S", "-c", STDIN_KEEPER,
                mounts.shim().toString(), spec.resultFile().toString(), Double.toString(spec.grace().toMillis() / 1000.0),
                "0", "--"));
        cmd.addAll(spec.command());
        Map<String, String> env = env(spec.env(), System.getenv(), secretNames, image, extra, gpus, home);
        Files.deleteIfExists(spec.resultFile());

        CreateContainerCmd create = engine.client().createContainerCmd(image.name())
                .withName(name(taskId))
                .withLabels(Map.of(DockerEngine.LABEL_AGENT, agentName, DockerEngine.LABEL_TASK, taskId))
                .withEntrypoint(cmd.subList(0, 1))
                .withCmd(cmd.subList(1, cmd.size()))
                .withEnv(env.entrySet().stream().map(e -> e.getKey() + "=" + e.getValue()).toList())
                .withWorkingDir(spec.workingDir().toString())
                .withUser(extra.user() != null ? extra.user() : owner(mounts.taskDir()))
                .withTty(false)
                .withHostConfig(hostConfig(settings, extra, binds(), gpus));
        engine.beforeCreate(create);
        String id;
        try {
            id = create.exec().getId();
        } catch (RuntimeException e) {
            throw new IOException("cannot create a container of " + image.name() + ": " + DockerEngine.rootMessage(e), e);
        }
        try {
            engine.client().startContainerCmd(id).exec();
        } catch (RuntimeException e) {
            engine.remove(id);
            throw new IOException("cannot start the container of " + image.name() + ": " + DockerEngine.rootMessage(e)
                    + " (Docker mode runs the task with the image's Python: use an image with python3 on its PATH)", e);
        }
        ContainerProcess p = new ContainerProcess(engine, id, spec.resultFile(), spec.grace());
        p.follow();
        return p;
    }

    private List<Bind> binds() {
        List<Bind> b = new ArrayList<>();
        b.add(bind(mounts.workspace(), mounts.workspace().toString(), false));
        if (mounts.environment() != null) b.add(bind(mounts.environment(), mounts.environment().toString(), true)); // null: system
        b.add(bind(mounts.taskDir(), mounts.taskDir().toString(), false));
        b.add(bind(mounts.hooks(), mounts.hooks().toString(), true));
        b.add(bind(mounts.shim(), mounts.shim().toString(), true));
        for (ExtraArgs.Volume v : extra.volumes()) b.add(bind(v.host(), v.container(), v.readOnly()));
        return b;
    }

    static Bind bind(Path host, String container, boolean readOnly) {
        return new Bind(host.toString(), new Volume(container),
                readOnly ? com.github.dockerjava.api.model.AccessMode.ro : com.github.dockerjava.api.model.AccessMode.rw);
    }

    /** Limits, network, the whitelisted extras, and a device request for exactly the task's GPUs. */
    static HostConfig hostConfig(DockerSettings settings, ExtraArgs extra, List<Bind> binds, List<Integer> gpus) {
        HostConfig hc = HostConfig.newHostConfig().withBinds(binds)
                .withNetworkMode(extra.network() != null ? extra.network() : settings.network());
        if (settings.memoryBytes() != null) {
            hc.withMemory(settings.memoryBytes()).withMemorySwap(settings.memoryBytes()); // no swap beyond the limit
        }
        if (settings.cpus() != null) hc.withNanoCPUs((long) (settings.cpus() * 1e9));
        if (extra.shmSize() != null) hc.withShmSize(extra.shmSize());
        if (extra.ipcMode() != null) hc.withIpcMode(extra.ipcMode());
        if (!extra.tmpfs().isEmpty()) hc.withTmpFs(extra.tmpfs());
        if (!extra.ulimits().isEmpty()) {
            hc.withUlimits(extra.ulimits().stream()
                    .map(u -> new com.github.dockerjava.api.model.Ulimit(u.name(), u.soft(), u.hard())).toList());
        }
        if (extra.init()) hc.withInit(true);
        if (!gpus.isEmpty()) {
            hc.withDeviceRequests(List.of(new DeviceRequest().withDriver("nvidia")
                    .withDeviceIds(gpus.stream().map(String::valueOf).toList())
                    .withCapabilities(List.of(List.of("gpu")))));
        }
        return hc;
    }

    /**
     * What the container gets: only what Drover set or changed for the task (its secrets, the
     * {@code DROVER_*} and Python settings, the task's {@code -e} extras), never the agent's own
     * environment. PATH and PYTHONPATH keep the task's additions in front of the image's own value.
     * GPUs: the container sees only its device-requested GPUs, numbered from 0; a CPU task sees none.
     */
    static Map<String, String> env(Map<String, String> taskEnv, Map<String, String> hostEnv, Set<String> secretNames,
            ImageRef image, ExtraArgs extra, List<Integer> gpus, Path home) {
        Map<String, String> env = new LinkedHashMap<>(extra.env());
        taskEnv.forEach((k, v) -> {
            if (secretNames.contains(k) || k.startsWith("DROVER_") || ALWAYS_PASSED.contains(k) || !v.equals(hostEnv.get(k))) {
                env.put(k, v);
            }
        });
        String path = taskEnv.get("PATH");
        if (path != null) env.put("PATH", replaceSuffix(path, hostEnv.get("PATH"), image.path()));
        String pp = taskEnv.get("PYTHONPATH");
        if (pp != null) env.put("PYTHONPATH", replaceSuffix(pp, hostEnv.get("PYTHONPATH"), null));
        env.remove("PYTHONHOME");
        env.remove("CUDA_VISIBLE_DEVICES");
        env.remove("NVIDIA_VISIBLE_DEVICES");
        if (gpus.isEmpty()) {
            env.put("NVIDIA_VISIBLE_DEVICES", "void"); // a CUDA image would otherwise expose every GPU
            env.put("CUDA_VISIBLE_DEVICES", "");
        } else {
            env.put("CUDA_VISIBLE_DEVICES", IntStream.range(0, gpus.size()).mapToObj(String::valueOf)
                    .collect(Collectors.joining(",")));
        }
        env.putIfAbsent("HOME", home.toString());
        return env;
    }

    /** {@code front:HOST} → {@code front:replacement} (or just {@code front}). */
    private static String replaceSuffix(String value, String hostValue, String replacement) {
        String front = value;
        if (hostValue != null && !hostValue.isEmpty()) {
            if (value.equals(hostValue)) front = "";
            else if (value.endsWith(File.pathSeparator + hostValue)) {
                front = value.substring(0, value.length() - hostValue.length() - 1);
            }
        }
        if (replacement == null || replacement.isEmpty()) return front;
        return front.isEmpty() ? replacement : front + File.pathSeparator + replacement;
    }

    /** The agent's uid:gid, so whatever the task writes into the workspace stays the agent's. */
    static String owner(Path dir) {
        try {
            return Files.getAttribute(dir, "unix:uid") + ":" + Files.getAttribute(dir, "unix:gid");
        } catch (IOException | UnsupportedOperationException | IllegalArgumentException e) {
            return null;
        }
    }

    static String name(String taskId) {
        String safe = taskId.replaceAll("[^a-zA-Z0-9_.-]", "-");
        return "drover-" + safe + "-" + Integer.toHexString(ThreadLocalRandom.current().nextInt(0x1000, 0x10000));
    }
}

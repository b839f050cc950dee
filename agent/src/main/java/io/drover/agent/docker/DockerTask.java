package io.drover.agent.docker;

import io.drover.agent.env.EnvBuildException;
import io.drover.agent.env.Environment;
import io.drover.agent.env.EnvironmentCache;
import io.drover.agent.env.EnvironmentRequest;
import io.drover.agent.env.ManagerSelector;
import io.drover.agent.env.Tools;
import io.drover.agent.launch.TaskLauncher;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;

/**
 * One task in Docker mode: its image (pulled as its policy says), its environment (a venv built
 * inside the image, cached like every other), and the launcher that starts it in a container.
 */
public final class DockerTask implements AutoCloseable {
    private final DockerMode mode;
    private final ContainerRequest request;
    private final ExtraArgs extra;
    private final String taskId;
    private final Set<String> secretNames;
    private volatile ImageRef image;
    private volatile Consumer<String> console = s -> { };
    private EnvironmentCache usedCache;
    private Environment used;
    private boolean closed;

    DockerTask(DockerMode mode, ContainerRequest request, ExtraArgs extra, String taskId, Set<String> secretNames) {
        this.mode = mode;
        this.request = request;
        this.extra = extra;
        this.taskId = taskId;
        this.secretNames = Set.copyOf(secretNames);
    }

    public ContainerRequest request() {
        return request;
    }

    public ExtraArgs extra() {
        return extra;
    }

    /**
     * Makes the image ready and the task's environment inside it. Docker mode builds pip
     * environments (requirements file, requirements.txt, or a PEP 621 pyproject) with the image's
     * Python; {@code system} runs the image's python3 as it is (for images with everything baked in).
     */
    public Environment environment(EnvironmentRequest req, Consumer<String> log)
            throws EnvBuildException, InterruptedException {
        this.console = log;
        long t0 = System.nanoTime();
        log.accept("[drover] Docker mode: image " + request.image() + " (pull policy " + request.pullPolicy().json() + ")");
        ImageRef img;
        try {
            img = mode.engine().ensureImage(request.image(), request.pullPolicy(), log);
        } catch (ContainerException e) {
            throw new EnvBuildException(e.getMessage(), e);
        }
        this.image = img;
        String manager = req.manager();
        if (manager.equals("poetry") || manager.equals("conda")) {
            throw new EnvBuildException("Docker mode builds pip environments inside the image; the " + manager + " manager is not"
                    + " supported in containers: bake the environment into the image and use --env-manager system, or use pip");
        }
        if (manager.equals("uv")) log.accept("[drover] Docker mode: building with pip inside the image (uv is not used in containers)");
        // the image decides the tools, not the agent's PATH: only pip inputs count (explicit file, requirements.txt, pyproject)
        EnvironmentRequest pipReq = new EnvironmentRequest(manager.equals("system") ? "system" : "pip", req.python(),
                req.repoRoot(), req.workDir(), req.requirements(), img.id(), req.cudaVersion());
        ManagerSelector.Choice choice = new ManagerSelector(new Tools(name -> Optional.empty()), mode.systemPython())
                .choose(pipReq, line -> log.accept("[drover] " + line));
        if (choice.manager().equals("system")) {
            log.accept("[drover] system environment: running the image's python3 as it is");
            return new Environment(null, Path.of("python3"), "image", List.of(), false, "system", "system",
                    (System.nanoTime() - t0) / 1e9);
        }
        ContainerEnvBuilder builder = new ContainerEnvBuilder(mode.engine(), mode.settings(), img, mode.buildEnv(),
                mode.agentName(), taskId);
        EnvironmentCache cache = mode.cache();
        Environment env = cache.get(builder, choice.spec().withImage(img.id()), log);
        synchronized (this) {
            if (!closed) {
                usedCache = cache;
                used = env;
                return env;
            }
        }
        cache.release(env); // the task ended while its environment was still building
        return env;
    }

    /** Ends the task's use of its environment (evictable again); whichever of this and the build comes last releases it. */
    @Override
    public void close() {
        EnvironmentCache c;
        Environment e;
        synchronized (this) {
            if (closed) return;
            closed = true;
            c = usedCache;
            e = used;
            used = null;
        }
        if (e != null) c.release(e);
    }

    /**
     * The launcher for this task, once {@link #environment} made the image ready.
     *
     * @param gpus the host indexes of the GPUs the agent gave the task (a device request for exactly
     *             those; none: the container sees no GPU)
     */
    public TaskLauncher launcher(Mounts mounts, List<Integer> gpus) {
        ImageRef img = image;
        if (img == null) throw new IllegalStateException("environment() first: the image is not resolved");
        console.accept("[drover] starting a container of " + img.name() + " (" + DockerEngine.shortId(stripAlgo(img.id())) + ")"
                + (gpus.isEmpty() ? ", no GPUs" : ", GPUs " + gpus));
        return new ContainerLauncher(mode.engine(), mode.settings(), mode.agentName(), taskId, img, extra, mounts, gpus,
                secretNames);
    }

    private static String stripAlgo(String id) {
        return id != null && id.startsWith("sha256:") ? id.substring(7) : id;
    }
}

package io.drover.agent.env;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * The agent's one entry point for task environments: picks the manager ({@link ManagerSelector}),
 * the interpreter, and the builder, and goes through the one {@link EnvironmentCache}. The
 * {@code system} manager uses the agent's interpreter as it is and caches nothing.
 */
public final class Environments {
    private final EnvironmentCache cache;
    private final String systemPython;
    private final Map<String, String> buildEnv;
    private final Tools tools;
    private final ManagerSelector selector;
    private final Supplier<String> cudaVersion;

    /**
     * @param systemPython the agent's interpreter (resolved, not a shim)
     * @param buildEnv     variables added for builds only (tests: a local package index)
     * @param cudaVersion  the machine's CUDA version or null, asked on first build
     */
    public Environments(EnvironmentCache cache, String systemPython, Map<String, String> buildEnv, Tools tools,
            Supplier<String> cudaVersion) {
        this.cache = cache;
        this.systemPython = systemPython;
        this.buildEnv = Map.copyOf(buildEnv);
        this.tools = tools;
        this.selector = new ManagerSelector(tools, systemPython);
        this.cudaVersion = cudaVersion;
    }

    /** The agent's defaults: tools from PATH, CUDA from nvidia-smi. */
    public static Environments forAgent(EnvironmentCache cache, String systemPython, Map<String, String> buildEnv) {
        return new Environments(cache, systemPython, buildEnv, Tools.fromPath(), CudaVersion::detect);
    }

    public EnvironmentCache cache() {
        return cache;
    }

    /** The ready environment of a task; in use until {@link #release}. Progress goes to {@code log}. */
    public Environment prepare(EnvironmentRequest req, Consumer<String> log) throws EnvBuildException, InterruptedException {
        long t0 = System.nanoTime();
        Consumer<String> note = line -> log.accept("[drover] " + line);
        ManagerSelector.Choice choice = selector.choose(req, note);
        String cuda = req.cudaVersion() != null ? req.cudaVersion() : cudaVersion.get();
        EnvironmentSpec spec = choice.spec().withImage(req.image()).withCudaVersion(cuda);
        if ("system".equals(choice.manager())) return system(t0, note);
        return cache.get(builder(choice.manager(), spec), spec, log);
    }

    /** A handle for one task: {@code prepare} in its preparation step, {@code close} when it ends. */
    public EnvironmentHandle handle() {
        return new EnvironmentHandle(this);
    }

    /** Ends the task's use of its environment (null and system environments are ignored). */
    public void release(Environment env) {
        cache.release(env);
    }

    private EnvironmentBuilder builder(String manager, EnvironmentSpec spec) throws EnvBuildException, InterruptedException {
        return switch (manager) {
            case "uv" -> new UvBuilder(tools.find("uv").orElseThrow(), systemPython, buildEnv);
            case "poetry" -> new PoetryBuilder(tools.find("poetry").orElseThrow(), interpreter(spec.python()), buildEnv);
            case "conda" -> new CondaBuilder(selector.condaTool().orElseThrow(), buildEnv);
            default -> new PipVenvBuilder(interpreter(spec.python()), buildEnv);
        };
    }

    /**
     * The interpreter for a venv: the agent's when the task asks for nothing or for the version it
     * has, else {@code python3.X} from PATH.
     */
    String interpreter(String version) throws EnvBuildException, InterruptedException {
        if (version == null) return systemPython;
        if (!version.matches("\\d+(\\.\\d+){0,2}")) {
            throw new EnvBuildException("environment.python '" + version + "' is not a version: give one like 3.11");
        }
        String have = PythonInfo.shortVersion(PythonInfo.version(systemPython));
        if (have.equals(version) || have.startsWith(version + ".")) return systemPython;
        String[] parts = version.split("\\.");
        String name = parts.length >= 2 ? "python" + parts[0] + "." + parts[1] : "python" + parts[0];
        Path exe = tools.find(name).orElseThrow(() -> new EnvBuildException("the task asks for Python " + version
                + " but the agent has Python " + have + " and no " + name + " on its PATH: install " + name
                + ", use the uv manager (it fetches Pythons), or drop environment.python"));
        String found = PythonInfo.shortVersion(PythonInfo.version(exe.toString()));
        if (!(found.equals(version) || found.startsWith(version + "."))) {
            throw new EnvBuildException("the task asks for Python " + version + " but " + exe + " is Python " + found
                    + ": install that version or drop environment.python");
        }
        return exe.toString();
    }

    private Environment system(long t0, Consumer<String> note) throws EnvBuildException, InterruptedException {
        note.accept("system environment: running on " + systemPython + " as it is (nothing installed, nothing isolated)");
        Path python = Path.of(systemPython);
        List<String> packages = Freeze.of(python);
        return new Environment(null, python, Freeze.pythonVersion(python), packages, false, "system", "system",
                (System.nanoTime() - t0) / 1e9);
    }
}

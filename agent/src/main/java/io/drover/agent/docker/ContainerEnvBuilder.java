package io.drover.agent.docker;

import com.github.dockerjava.api.async.ResultCallback;
import com.github.dockerjava.api.command.CreateContainerCmd;
import com.github.dockerjava.api.command.WaitContainerResultCallback;
import com.github.dockerjava.api.model.Bind;
import com.github.dockerjava.api.model.Frame;
import io.drover.agent.env.EnvBuildException;
import io.drover.agent.env.EnvironmentBuilder;
import io.drover.agent.env.EnvironmentSpec;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Builds a task's venv <em>inside</em> its image, with the image's own Python, into a folder of
 * the agent's environment cache mounted at the same path (a venv hard-codes its path). The same
 * cache, key and ready-marker rules as every other environment apply; the image's content id is
 * part of the key, so each image gets its own environments. Nothing of the agent is installed in
 * the image: the build runs a short script given on the command line.
 */
public final class ContainerEnvBuilder implements EnvironmentBuilder {
    static final String FREEZE_FILE = ".drover-freeze.txt";
    /** Variables of the agent's build environment that may name a local folder (a file:// index). */
    private static final List<String> LOCAL_INDEX_VARS = List.of("PIP_INDEX_URL", "PIP_EXTRA_INDEX_URL", "PIP_FIND_LINKS");

    /** venv + pip install with the image's interpreter; pip from the image, else bootstrapped into the venv. */
    static final String BUILD = String.join("\n",
            "import os, subprocess, sys",
            "d, req = sys.argv[1], sys.argv[2]",
            "def run(cmd, quiet=False):",
            "    if not quiet: print('$ ' + ' '.join(cmd), flush=True)",
            "    return subprocess.call(cmd, stdout=subprocess.DEVNULL if quiet else None, stderr=subprocess.DEVNULL if quiet else None)",
            "print('image Python ' + sys.version.split()[0] + ' at ' + sys.executable, flush=True)",
            "if run([sys.executable, '-m', 'venv', '--without-pip', d]) != 0:",
            "    sys.exit('cannot create a venv with the image Python (Debian-based images need the python3-venv package)')",
            "py = os.path.join(d, 'bin', 'python')",
            "if req:",
            "    ok = run([sys.executable, '-m', 'pip', 'install', '--help'], quiet=True) == 0 and \\",
            "        run([sys.executable, '-m', 'pip', '--python', py, '--version'], quiet=True) == 0",
            "    if ok:",
            "        code = run([sys.executable, '-m', 'pip', '--python', py, 'install', '--disable-pip-version-check', '-r', req])",
            "    else:",
            "        print('the image has no pip new enough for --python; bootstrapping pip inside the venv', flush=True)",
            "        code = run([py, '-m', 'ensurepip', '--upgrade']) or \\",
            "            run([py, '-m', 'pip', 'install', '--disable-pip-version-check', '-r', req])",
            "    if code != 0: sys.exit('pip install failed (exit %d)' % code)",
            "freeze = '''import importlib.metadata as m",
            "skip = {'pip', 'setuptools', 'wheel', 'distribute'}",
            "seen = {}",
            "for x in m.distributions():",
            "    n = x.metadata['Name']",
            "    if n and n.lower() not in skip: seen.setdefault(n.lower(), n + '==' + x.version)",
            "print(chr(10).join(sorted(seen.values(), key=str.lower)))'''",
            "with open(os.path.join(d, '" + FREEZE_FILE + "'), 'w') as f:",
            "    subprocess.call([py, '-I', '-c', freeze], stdout=f)");

    private final DockerEngine engine;
    private final DockerSettings settings;
    private final ImageRef image;
    private final Map<String, String> buildEnv;
    private final String agentName;
    private final String taskId;

    /** @param buildEnv the agent's build variables (a pip index, proxies), passed into the build container */
    public ContainerEnvBuilder(DockerEngine engine, DockerSettings settings, ImageRef image, Map<String, String> buildEnv,
            String agentName, String taskId) {
        this.engine = engine;
        this.settings = settings;
        this.image = image;
        this.buildEnv = Map.copyOf(buildEnv);
        this.agentName = agentName;
        this.taskId = taskId;
    }

    /** pip, inside an image (the image id is part of the cache key through the spec). */
    @Override
    public String manager() {
        return "docker-pip";
    }

    @Override
    public Path python(Path dir) {
        return dir.resolve("bin").resolve("python");
    }

    @Override
    public void build(EnvironmentSpec spec, Path dir, Consumer<String> log) throws EnvBuildException, InterruptedException {
        String req = "";
        if (spec.hasRequirements()) {
            Path f = dir.resolve("requirements.drover.txt");
            try {
                Files.writeString(f, spec.requirements());
            } catch (IOException e) {
                throw new EnvBuildException("cannot write " + f + ": " + e.getMessage(), e);
            }
            req = f.toString();
        }
        log.accept("building inside image " + image.name());
        List<Bind> binds = new ArrayList<>(List.of(ContainerLauncher.bind(dir, dir.toString(), false)));
        Map<String, String> env = new LinkedHashMap<>(buildEnv);
        for (String var : LOCAL_INDEX_VARS) {
            Path local = localFolder(buildEnv.get(var));
            if (local != null) binds.add(ContainerLauncher.bind(local, local.toString(), true));
        }
        env.putIfAbsent("PIP_REQUIRE_VIRTUALENV", "false");
        env.put("HOME", dir.toString()); // pip writes its cache under HOME; the image's may not be ours to write
        env.put("PIP_NO_CACHE_DIR", "1");
        env.put("PYTHONUNBUFFERED", "1");
        CreateContainerCmd create = engine.client().createContainerCmd(image.name())
                .withName(ContainerLauncher.name(taskId + "-env"))
                .withLabels(Map.of(DockerEngine.LABEL_AGENT, agentName, DockerEngine.LABEL_TASK, taskId))
                .withEntrypoint("python3")
                .withCmd("-c", BUILD, dir.toString(), req)
                .withEnv(env.entrySet().stream().map(e -> e.getKey() + "=" + e.getValue()).toList())
                .withUser(ContainerLauncher.owner(dir))
                .withTty(false)
                .withHostConfig(ContainerLauncher.hostConfig(settings, ExtraArgs.none(), binds, List.of()));
        engine.beforeCreate(create);
        String id;
        try {
            id = create.exec().getId();
        } catch (RuntimeException e) {
            throw new EnvBuildException("cannot create the build container of " + image.name() + ": " + DockerEngine.rootMessage(e), e);
        }
        List<String> tail = new ArrayList<>();
        try {
            try {
                engine.client().startContainerCmd(id).exec();
            } catch (RuntimeException e) {
                throw new EnvBuildException("cannot run python3 in image " + image.name() + " (" + DockerEngine.rootMessage(e)
                        + "): Docker mode builds the task's environment with the image's Python; use an image with python3", e);
            }
            ResultCallback.Adapter<Frame> logs = engine.client().logContainerCmd(id).withStdOut(true).withStdErr(true)
                    .withFollowStream(true).exec(new ResultCallback.Adapter<>() {
                        private final StringBuilder partial = new StringBuilder();

                        @Override
                        public void onNext(Frame f) {
                            partial.append(new String(f.getPayload(), StandardCharsets.UTF_8));
                            int nl;
                            while ((nl = partial.indexOf("\n")) >= 0) {
                                String line = partial.substring(0, nl);
                                partial.delete(0, nl + 1);
                                synchronized (tail) {
                                    tail.add(line);
                                    if (tail.size() > 5) tail.remove(0);
                                }
                                log.accept(line);
                            }
                        }
                    });
            int code;
            try {
                code = engine.client().waitContainerCmd(id).exec(new WaitContainerResultCallback()).awaitStatusCode();
            } catch (RuntimeException e) {
                throw new EnvBuildException("lost the build container of " + image.name() + ": " + DockerEngine.rootMessage(e), e);
            }
            logs.awaitCompletion(10, java.util.concurrent.TimeUnit.SECONDS);
            DockerEngine.closeQuietly(logs);
            if (code != 0) {
                synchronized (tail) {
                    throw new EnvBuildException("building the environment in image " + image.name() + " failed (exit " + code + "): "
                            + String.join("\n", tail));
                }
            }
        } finally {
            engine.remove(id);
        }
    }

    @Override
    public List<String> freeze(Path dir) {
        try {
            return Files.readAllLines(dir.resolve(FREEZE_FILE)).stream().map(String::strip)
                    .filter(s -> !s.isEmpty() && !s.startsWith("#")).toList();
        } catch (IOException e) {
            return List.of();
        }
    }

    /**
     * The folder to mount for a {@code file://} URL, else null. A PEP 503 index folder named
     * {@code simple} usually links its files relatively outside itself ({@code ../../files/…}), so
     * its parent, the mirror's root, is mounted instead.
     */
    static Path localFolder(String url) {
        if (url == null || !url.startsWith("file:")) return null;
        try {
            Path p = Path.of(URI.create(url)).normalize();
            if (!Files.isDirectory(p)) return null;
            return p.getFileName() != null && p.getFileName().toString().equals("simple") && p.getParent() != null
                    ? p.getParent() : p;
        } catch (RuntimeException e) {
            return null;
        }
    }
}

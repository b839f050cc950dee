import io.drover.agent.env.CudaVersion;
import io.drover.agent.env.EnvCacheConfig;
import io.drover.agent.env.Environment;
import io.drover.agent.env.EnvironmentCache;
import io.drover.agent.env.EnvironmentRequest;
import io.drover.agent.env.Environments;
import io.drover.agent.env.DiskProbe;
import io.drover.agent.env.PythonInfo;
import io.drover.agent.env.Tools;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Environment preparation for a task needing numpy + scikit-learn, through the agent's own code
 * (Environments → EnvironmentCache → builder): a cold build into an empty cache, then cache hits
 * (what every later task with the same requirements pays). Run by env-prepare.sh.
 * Args: WORK_DIR HITS MANAGER...
 */
public class EnvPrepare {
    public static void main(String[] args) throws Exception {
        Path work = Path.of(args[0]);
        int hits = Integer.parseInt(args[1]);
        List<String> managers = List.of(args).subList(2, args.length);
        String python = PythonInfo.executable("python3");
        Path repo = Files.createDirectories(work.resolve("repo"));
        Files.writeString(repo.resolve("requirements.txt"), "numpy\nscikit-learn\n");
        boolean verbose = System.getenv("VERBOSE") != null;
        Consumer<String> log = verbose ? System.err::println : l -> { };
        Map<String, String> buildEnv = new HashMap<>();
        System.out.printf("python %s, CUDA %s, requirements: numpy scikit-learn%n",
                PythonInfo.shortVersion(PythonInfo.version(python)), CudaVersion.detect() == null ? "none" : CudaVersion.detect());
        System.out.printf("%-8s %10s %12s %10s %8s%n", "manager", "cold s", "hit ms (med)", "cold/hit", "pkgs");
        for (String manager : managers) {
            Tools tools = Tools.fromPath();
            if (manager.equals("uv") && tools.find("uv").isEmpty()) {
                System.out.printf("%-8s %s%n", "uv", "skipped: no uv on PATH");
                continue;
            }
            EnvironmentCache cache = new EnvironmentCache(work.resolve("envs-" + manager), new EnvCacheConfig(10, 0), DiskProbe.fileStore());
            Environments envs = new Environments(cache, python, buildEnv, tools, CudaVersion::detect);
            EnvironmentRequest req = new EnvironmentRequest(manager, null, repo, repo, null, null, null);
            Environment cold = envs.prepare(req, log);
            envs.release(cold);
            if (!cold.manager().equals(manager)) throw new IllegalStateException("built with " + cold.manager());
            List<Double> hitMs = new ArrayList<>();
            for (int i = 0; i < hits; i++) {
                Environment hit = envs.prepare(req, log);
                envs.release(hit);
                if (!hit.cacheHit()) throw new IllegalStateException("expected a cache hit");
                hitMs.add(hit.buildSeconds() * 1000);
            }
            Collections.sort(hitMs);
            double med = hitMs.get(hitMs.size() / 2);
            System.out.printf("%-8s %10.1f %12.1f %9.0fx %8d%n", manager, cold.buildSeconds(), med,
                    cold.buildSeconds() * 1000 / med, cold.installedPackages().size());
        }
    }
}

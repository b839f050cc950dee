package io.drover.agent.env;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A ready environment: where it lives (null for the {@code system} manager: no isolation), its
 * interpreter, what it holds, and how it came to be (for the task's {@code captured} record).
 *
 * @param key          the cache key ({@code system} when nothing is cached)
 * @param buildSeconds seconds this request waited for it: the whole build on a miss, the lookup on a hit
 */
public record Environment(Path dir, Path python, String pythonVersion, List<String> installedPackages,
        boolean cacheHit, String manager, String key, double buildSeconds) {
    public Environment {
        installedPackages = List.copyOf(installedPackages);
    }

    Environment withHit(boolean hit, double seconds) {
        return new Environment(dir, python, pythonVersion, installedPackages, hit, manager, key, seconds);
    }

    /** Where the environment's executables are (the task's PATH starts there); null for system. */
    public Path binDir() {
        return dir == null ? null : python.getParent();
    }

    /**
     * Variables the task's process gets so that {@code python}, {@code pip} and tools find this
     * environment: VIRTUAL_ENV (venvs) or CONDA_PREFIX (conda) and PATH with the env's bin first.
     * Empty for the system manager.
     */
    public Map<String, String> variables(String inheritedPath) {
        Map<String, String> v = new LinkedHashMap<>();
        if (dir == null) return v;
        v.put("conda".equals(manager) ? "CONDA_PREFIX" : "VIRTUAL_ENV", dir.toString());
        v.put("PATH", binDir() + (inheritedPath == null || inheritedPath.isEmpty() ? "" : java.io.File.pathSeparator + inheritedPath));
        return v;
    }

    /** {@code captured.environment} on the task: manager, python, key, cacheHit, buildSeconds. */
    public Map<String, Object> captured() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("manager", manager);
        m.put("python", pythonVersion);
        m.put("key", key);
        m.put("cacheHit", cacheHit);
        m.put("buildSeconds", Math.round(buildSeconds * 1000) / 1000.0);
        return m;
    }
}

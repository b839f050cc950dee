package io.drover.agent.env;

import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/** Facts about the system interpreter, asked once per interpreter and kept (they change only on upgrade). */
public final class PythonInfo {
    private static final Map<String, String> VERSIONS = new ConcurrentHashMap<>();
    private static final Map<String, String> EXECUTABLES = new ConcurrentHashMap<>();

    private PythonInfo() {}

    /** The full {@code sys.version} string of {@code python} (part of every cache key). */
    public static String version(String python) throws EnvBuildException, InterruptedException {
        String v = VERSIONS.get(python);
        if (v != null) return v;
        try {
            CommandRunner.Result r = CommandRunner.run(List.of(python, "-c", "import sys;print(sys.version)"), null, Map.of(), null);
            if (r.exitCode() != 0 || r.lines().isEmpty()) {
                throw new EnvBuildException("cannot run '" + python + "' (exit " + r.exitCode() + "): " + r.tail(5)
                        + "; install Python 3 or point the agent at one with --python");
            }
            v = String.join(" ", r.lines()).strip();
        } catch (IOException e) {
            throw new EnvBuildException("cannot run '" + python + "': " + e.getMessage()
                    + "; install Python 3 or point the agent at one with --python", e);
        }
        VERSIONS.put(python, v);
        return v;
    }

    /**
     * The real interpreter behind {@code python} ({@code sys.executable}). Version managers put
     * shell-script shims on PATH (pyenv's costs ~0.5 s per start); every task launch and build
     * goes through the resolved path instead. Falls back to {@code python} when it cannot run.
     */
    public static String executable(String python) {
        return EXECUTABLES.computeIfAbsent(python, p -> {
            try {
                CommandRunner.Result r = CommandRunner.run(List.of(p, "-c", "import sys;print(sys.executable)"), null, Map.of(), null);
                String exe = r.lines().isEmpty() ? "" : r.lines().get(r.lines().size() - 1).strip();
                return r.exitCode() == 0 && !exe.isEmpty() && java.nio.file.Files.isExecutable(java.nio.file.Path.of(exe)) ? exe : p;
            } catch (IOException e) {
                return p;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return p;
            }
        });
    }

    /** Just the version number ("3.11.7") of a {@code sys.version} string. */
    public static String shortVersion(String sysVersion) {
        int sp = sysVersion.indexOf(' ');
        return sp < 0 ? sysVersion : sysVersion.substring(0, sp);
    }
}

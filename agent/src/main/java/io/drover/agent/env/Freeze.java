package io.drover.agent.env;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * What {@code pip freeze} would list, read with the environment's own {@code importlib.metadata}:
 * ~50 ms where {@code pip freeze} takes seconds, and it works in venvs without pip (uv's). pip
 * itself, setuptools, wheel and distribute are left out as pip freeze does.
 */
final class Freeze {
    private Freeze() {}

    private static final String SCRIPT = String.join("\n",
            "import importlib.metadata as m",
            "skip = {'pip', 'setuptools', 'wheel', 'distribute'}",
            "seen = {}",
            "for d in m.distributions():",
            "    n = d.metadata['Name']",
            "    if n and n.lower() not in skip: seen.setdefault(n.lower(), n + '==' + d.version)",
            "print('\\n'.join(sorted(seen.values(), key=str.lower)))");

    /** The packages of {@code python}'s environment; empty when it cannot tell (Python < 3.8). */
    static List<String> of(Path python) throws EnvBuildException, InterruptedException {
        CommandRunner.Result r = CommandRunner.exec(List.of(python.toString(), "-I", "-c", SCRIPT), null, Map.of(), null);
        return r.exitCode() != 0 ? List.of() : lines(r);
    }

    static List<String> lines(CommandRunner.Result r) {
        return r.lines().stream().map(String::strip).filter(s -> !s.isEmpty() && !s.startsWith("#")).toList();
    }

    /** {@code sys.version} of an environment's interpreter, the short form ("3.11.7"). */
    static String pythonVersion(Path python) throws EnvBuildException, InterruptedException {
        CommandRunner.Result r = CommandRunner.exec(List.of(python.toString(), "-I", "-c",
                "import platform;print(platform.python_version())"), null, Map.of(), null);
        return r.exitCode() == 0 && !r.lines().isEmpty() ? r.lines().get(r.lines().size() - 1).strip() : "unknown";
    }
}

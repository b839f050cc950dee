package io.drover.agent.env;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Turns a task's environment request into a manager and the inputs it builds from. {@code auto}
 * reads the files in the working dir (then the repository root): an explicit requirements file
 * wins, then poetry.lock > uv.lock > pyproject.toml > environment.yml > requirements.txt; a
 * candidate whose tool this machine lacks is skipped with a note. requirements-style inputs are
 * built with uv when it is on PATH, else pip.
 */
public final class ManagerSelector {
    /** What to build: the manager and its inputs ({@code system}: nothing). */
    public record Choice(String manager, EnvironmentSpec spec) {}

    private final Tools tools;
    private final String systemPython;

    public ManagerSelector(Tools tools, String systemPython) {
        this.tools = tools;
        this.systemPython = systemPython;
    }

    public Choice choose(EnvironmentRequest req, Consumer<String> log) throws EnvBuildException, InterruptedException {
        if (!EnvironmentRequest.MANAGERS.contains(req.manager())) {
            throw new EnvBuildException("unknown environment manager '" + req.manager() + "': use one of auto, pip, uv, poetry, conda, system");
        }
        Files found = Files.in(req);
        EnvironmentSpec explicit = explicitRequirements(req);
        Choice c = switch (req.manager()) {
            case "system" -> new Choice("system", EnvironmentSpec.none());
            case "pip" -> new Choice("pip", pipInputs(explicit, found));
            case "uv" -> uv(explicit, found, log);
            case "poetry" -> poetry(found);
            case "conda" -> conda(found);
            default -> auto(explicit, found, log);
        };
        return new Choice(c.manager(), c.spec().withPython(req.python()));
    }

    private Choice auto(EnvironmentSpec explicit, Files found, Consumer<String> log) throws EnvBuildException, InterruptedException {
        if (explicit != null) return new Choice(pipOrUv(), explicit);
        List<String> skipped = new ArrayList<>();
        if (found.has("poetry.lock") && found.has("pyproject.toml")) {
            if (tools.find("poetry").isPresent()) return poetry(found);
            skipped.add("poetry.lock (no poetry on PATH)");
        }
        if (found.has("uv.lock") && found.has("pyproject.toml")) {
            if (tools.find("uv").isPresent()) return new Choice("uv", found.spec("pyproject.toml", "uv.lock"));
            skipped.add("uv.lock (no uv on PATH)");
        }
        if (found.has("pyproject.toml")) {
            if (found.text("pyproject.toml").contains("[tool.poetry")) {
                if (tools.find("poetry").isPresent()) return poetry(found);
                skipped.add("pyproject.toml of a Poetry project (no poetry on PATH)");
            } else {
                EnvironmentSpec deps = pyprojectDependencies(found);
                if (deps != null) return new Choice(pipOrUv(), deps);
            }
        }
        String yml = found.condaFile();
        if (yml != null) {
            if (condaTool().isPresent()) return conda(found);
            skipped.add(yml + " (no conda, mamba or micromamba on PATH)");
        }
        if (found.has("requirements.txt")) {
            skipped.forEach(s -> log.accept("skipping " + s + "; using requirements.txt"));
            return new Choice(pipOrUv(), found.requirements("requirements.txt"));
        }
        if (!skipped.isEmpty()) {
            throw new EnvBuildException("the repository describes its environment with " + String.join(", ", skipped)
                    + ": install that tool on the agent, or add a requirements.txt, or pick another manager with --env-manager");
        }
        return new Choice(pipOrUv(), EnvironmentSpec.none());
    }

    private String pipOrUv() {
        return tools.find("uv").isPresent() ? "uv" : "pip";
    }

    private Choice uv(EnvironmentSpec explicit, Files found, Consumer<String> log) throws EnvBuildException, InterruptedException {
        if (tools.find("uv").isEmpty()) {
            log.accept("the task asks for uv but there is no uv on the agent's PATH: building with pip instead");
            return new Choice("pip", pipInputs(explicit, found));
        }
        if (explicit == null && found.has("uv.lock") && found.has("pyproject.toml")) {
            return new Choice("uv", found.spec("pyproject.toml", "uv.lock"));
        }
        return new Choice("uv", pipInputs(explicit, found));
    }

    /** An explicit file, else requirements.txt, else a PEP 621 pyproject's dependencies, else nothing. */
    private EnvironmentSpec pipInputs(EnvironmentSpec explicit, Files found) throws EnvBuildException, InterruptedException {
        if (explicit != null) return explicit;
        if (found.has("requirements.txt")) return found.requirements("requirements.txt");
        if (found.has("pyproject.toml")) {
            EnvironmentSpec deps = pyprojectDependencies(found);
            if (deps != null) return deps;
        }
        return EnvironmentSpec.none();
    }

    private Choice poetry(Files found) throws EnvBuildException {
        if (!found.has("pyproject.toml")) {
            throw new EnvBuildException("the poetry manager needs a pyproject.toml (and poetry.lock) in " + found.where()
                    + ": commit them or pick another manager with --env-manager");
        }
        if (tools.find("poetry").isEmpty()) {
            throw new EnvBuildException("the task asks for poetry but there is no poetry on the agent's PATH: install it"
                    + " (apt-get install python3-poetry, or pipx install poetry) or pick another manager with --env-manager");
        }
        return found.has("poetry.lock") ? new Choice("poetry", found.spec("pyproject.toml", "poetry.lock"))
                : new Choice("poetry", found.spec("pyproject.toml"));
    }

    private Choice conda(Files found) throws EnvBuildException {
        String yml = found.condaFile();
        if (yml == null) {
            throw new EnvBuildException("the conda manager needs an environment.yml in " + found.where()
                    + ": commit one or pick another manager with --env-manager");
        }
        if (condaTool().isEmpty()) {
            throw new EnvBuildException("the task asks for conda but there is no conda, mamba or micromamba on the agent's PATH:"
                    + " install one (micromamba is a single binary) or pick another manager with --env-manager");
        }
        return new Choice("conda", found.spec(yml));
    }

    /** conda, mamba or micromamba, whichever is found first. */
    public java.util.Optional<Path> condaTool() {
        return tools.first("conda", "mamba", "micromamba");
    }

    private EnvironmentSpec explicitRequirements(EnvironmentRequest req) throws EnvBuildException {
        if (req.requirements() == null) return null;
        Path root = req.repoRoot();
        Path file = root.resolve(req.requirements()).normalize();
        if (!java.nio.file.Files.isRegularFile(file)) file = req.workDir().resolve(req.requirements()).normalize();
        if (!file.startsWith(root) || !java.nio.file.Files.isRegularFile(file)) {
            throw new EnvBuildException("requirements file " + req.requirements()
                    + " not found in the checkout: commit it or fix --requirements");
        }
        return new EnvironmentSpec(read(file), req.requirements());
    }

    private static final String DEPS = String.join("\n",
            "import sys",
            "try:",
            "    import tomllib",
            "except ImportError:",
            "    import tomli as tomllib",
            "with open(sys.argv[1], 'rb') as f:",
            "    d = tomllib.load(f)",
            "print('\\n'.join(d.get('project', {}).get('dependencies', [])))");

    /** {@code [project].dependencies} as requirement lines (read by Python's own TOML parser); null: none listed. */
    private EnvironmentSpec pyprojectDependencies(Files found) throws EnvBuildException, InterruptedException {
        Path file = found.dir.resolve("pyproject.toml");
        CommandRunner.Result r = CommandRunner.exec(List.of(systemPython, "-I", "-c", DEPS, file.toString()), null, Map.of(), null);
        if (r.exitCode() != 0) {
            throw new EnvBuildException("cannot read the dependencies of pyproject.toml (" + r.tail(2)
                    + "): it needs Python 3.11+ or the tomli package on the agent; or add a requirements.txt");
        }
        String deps = String.join("\n", r.lines()).strip();
        return deps.isEmpty() ? null : new EnvironmentSpec(deps + "\n", "pyproject.toml [project].dependencies");
    }

    static String read(Path file) throws EnvBuildException {
        try {
            return java.nio.file.Files.readString(file);
        } catch (IOException e) {
            throw new EnvBuildException("cannot read " + file.getFileName() + ": " + e.getMessage(), e);
        }
    }

    /** The environment files of the first folder that has any: the working dir, then the repository root. */
    static final class Files {
        static final List<String> NAMES = List.of("poetry.lock", "uv.lock", "pyproject.toml", "environment.yml",
                "environment.yaml", "requirements.txt");
        final Path dir;
        final Path root;

        private Files(Path dir, Path root) {
            this.dir = dir;
            this.root = root;
        }

        static Files in(EnvironmentRequest req) {
            for (Path d = req.workDir().normalize(); d != null && d.startsWith(req.repoRoot()); d = d.getParent()) {
                for (String n : NAMES) {
                    if (java.nio.file.Files.isRegularFile(d.resolve(n))) return new Files(d, req.repoRoot());
                }
                if (d.equals(req.repoRoot())) break;
            }
            return new Files(req.repoRoot(), req.repoRoot());
        }

        boolean has(String name) {
            return java.nio.file.Files.isRegularFile(dir.resolve(name));
        }

        String text(String name) throws EnvBuildException {
            return read(dir.resolve(name));
        }

        String where() {
            String rel = root.relativize(dir).toString();
            return rel.isEmpty() ? "the repository root" : rel;
        }

        String condaFile() {
            return has("environment.yml") ? "environment.yml" : has("environment.yaml") ? "environment.yaml" : null;
        }

        EnvironmentSpec requirements(String name) throws EnvBuildException {
            return new EnvironmentSpec(text(name), name);
        }

        EnvironmentSpec spec(String... names) throws EnvBuildException {
            Map<String, String> files = new LinkedHashMap<>();
            for (String n : names) files.put(n, text(n));
            return new EnvironmentSpec(null, String.join(" + ", names), files, null, null, null);
        }
    }
}

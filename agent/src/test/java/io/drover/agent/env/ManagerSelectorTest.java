package io.drover.agent.env;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Which manager builds from which files, on machines with and without each tool (real files, real python3 for TOML). */
class ManagerSelectorTest {
    @TempDir
    Path repo;

    final List<String> notes = new ArrayList<>();

    static Tools with(String... present) {
        Set<String> have = Set.of(present);
        return new Tools(n -> have.contains(n) ? Optional.of(Path.of("/usr/bin", n)) : Optional.empty());
    }

    ManagerSelector.Choice choose(Tools tools, String manager) throws Exception {
        return choose(tools, manager, repo, null);
    }

    ManagerSelector.Choice choose(Tools tools, String manager, Path workDir, String requirements) throws Exception {
        return new ManagerSelector(tools, "python3")
                .choose(new EnvironmentRequest(manager, null, repo, workDir, requirements, null, null), notes::add);
    }

    void write(String name, String content) throws Exception {
        Files.writeString(repo.resolve(name), content);
    }

    static final String POETRY_PYPROJECT = "[tool.poetry]\nname = \"demo\"\nversion = \"0.1.0\"\n\n[tool.poetry.dependencies]\nsix = \"*\"\n";
    static final String PEP621_PYPROJECT = "[project]\nname = \"demo\"\nversion = \"0.1\"\ndependencies = [\"six>=1.10\", \"attrs\"]\n";

    @Test
    void autoPrefersTheLockFileThenPyprojectThenEnvironmentYmlThenRequirements() throws Exception {
        write("requirements.txt", "six\n");
        assertThat(choose(with(), "auto").manager()).isEqualTo("pip");
        assertThat(choose(with(), "auto").spec().requirements()).isEqualTo("six\n");
        assertThat(choose(with("uv"), "auto").manager()).as("requirements go to uv when it is there").isEqualTo("uv");

        write("environment.yml", "name: x\ndependencies:\n  - python=3.11\n");
        assertThat(choose(with("micromamba"), "auto").manager()).isEqualTo("conda");
        assertThat(choose(with("micromamba"), "auto").spec().files()).containsKey("environment.yml");

        write("pyproject.toml", PEP621_PYPROJECT);
        ManagerSelector.Choice pep621 = choose(with("conda"), "auto");
        assertThat(pep621.manager()).isEqualTo("pip");
        assertThat(pep621.spec().requirements()).isEqualTo("six>=1.10\nattrs\n");
        assertThat(pep621.spec().requirementsName()).contains("pyproject.toml");

        write("pyproject.toml", POETRY_PYPROJECT);
        write("poetry.lock", "# lock\n");
        ManagerSelector.Choice poetry = choose(with("poetry", "uv", "conda"), "auto");
        assertThat(poetry.manager()).isEqualTo("poetry");
        assertThat(poetry.spec().files()).containsOnlyKeys("pyproject.toml", "poetry.lock");
    }

    @Test
    void autoSkipsFilesWhoseToolIsMissingAndSaysSo() throws Exception {
        write("pyproject.toml", POETRY_PYPROJECT);
        write("poetry.lock", "# lock\n");
        write("environment.yml", "dependencies: [python]\n");
        write("requirements.txt", "six\n");
        ManagerSelector.Choice c = choose(with(), "auto");
        assertThat(c.manager()).isEqualTo("pip");
        assertThat(c.spec().requirementsName()).isEqualTo("requirements.txt");
        assertThat(notes).anyMatch(n -> n.contains("skipping poetry.lock (no poetry on PATH)"))
                .anyMatch(n -> n.contains("environment.yml (no conda, mamba or micromamba on PATH)"));
    }

    @Test
    void autoFailsWhenTheOnlyDescriptionNeedsAMissingTool() throws Exception {
        write("pyproject.toml", POETRY_PYPROJECT);
        write("poetry.lock", "# lock\n");
        assertThatThrownBy(() -> choose(with("uv"), "auto")).isInstanceOf(EnvBuildException.class)
                .hasMessageContaining("poetry.lock (no poetry on PATH)").hasMessageContaining("--env-manager");
    }

    @Test
    void uvLockGoesToUvWhenPresent() throws Exception {
        write("pyproject.toml", PEP621_PYPROJECT);
        write("uv.lock", "version = 1\n");
        ManagerSelector.Choice c = choose(with("uv"), "auto");
        assertThat(c.manager()).isEqualTo("uv");
        assertThat(c.spec().files()).containsOnlyKeys("pyproject.toml", "uv.lock");
        assertThat(choose(with(), "auto").manager()).as("no uv: the pyproject's dependencies with pip").isEqualTo("pip");
    }

    @Test
    void anExplicitRequirementsFileWinsOverAuto() throws Exception {
        write("pyproject.toml", POETRY_PYPROJECT);
        write("poetry.lock", "# lock\n");
        Files.createDirectories(repo.resolve("reqs"));
        write("reqs/dev.txt", "attrs\n");
        ManagerSelector.Choice c = choose(with("poetry"), "auto", repo, "reqs/dev.txt");
        assertThat(c.manager()).isEqualTo("pip");
        assertThat(c.spec().requirements()).isEqualTo("attrs\n");
        assertThatThrownBy(() -> choose(with(), "auto", repo, "missing.txt")).hasMessageContaining("requirements file missing.txt not found");
    }

    @Test
    void theWorkingDirsFilesWinOverTheRoots() throws Exception {
        write("requirements.txt", "six\n");
        Path sub = Files.createDirectories(repo.resolve("services/train"));
        Files.writeString(sub.resolve("requirements.txt"), "attrs\n");
        assertThat(choose(with(), "auto", sub, null).spec().requirements()).isEqualTo("attrs\n");
        Path bare = Files.createDirectories(repo.resolve("scripts"));
        assertThat(choose(with(), "auto", bare, null).spec().requirements()).as("nothing there: the root's").isEqualTo("six\n");
    }

    @Test
    void nothingDescribedGivesAnEmptyVenv() throws Exception {
        ManagerSelector.Choice c = choose(with(), "auto");
        assertThat(c.manager()).isEqualTo("pip");
        assertThat(c.spec().hasRequirements()).isFalse();
    }

    @Test
    void namedManagersAndTheirMessages() throws Exception {
        write("requirements.txt", "six\n");
        assertThat(choose(with(), "system").manager()).isEqualTo("system");
        assertThat(choose(with("uv"), "pip").manager()).isEqualTo("pip");
        assertThat(choose(with("uv"), "UV").manager()).isEqualTo("uv");

        ManagerSelector.Choice fallback = choose(with(), "uv");
        assertThat(fallback.manager()).isEqualTo("pip");
        assertThat(notes).anyMatch(n -> n.contains("asks for uv but there is no uv") && n.contains("building with pip instead"));

        assertThatThrownBy(() -> choose(with("poetry"), "poetry")).hasMessageContaining("needs a pyproject.toml");
        write("pyproject.toml", POETRY_PYPROJECT);
        assertThatThrownBy(() -> choose(with(), "poetry")).hasMessageContaining("no poetry on the agent's PATH")
                .hasMessageContaining("apt-get install python3-poetry");
        assertThat(choose(with("poetry"), "poetry").spec().files()).as("no lock: Poetry resolves").containsOnlyKeys("pyproject.toml");

        assertThatThrownBy(() -> choose(with("conda"), "conda")).hasMessageContaining("needs an environment.yml");
        write("environment.yaml", "dependencies: [python]\n");
        assertThatThrownBy(() -> choose(with(), "conda")).hasMessageContaining("no conda, mamba or micromamba");
        assertThat(choose(with("mamba"), "conda").spec().files()).containsOnlyKeys("environment.yaml");

        assertThatThrownBy(() -> choose(with(), "pipenv")).hasMessageContaining("unknown environment manager 'pipenv'")
                .hasMessageContaining("auto, pip, uv, poetry, conda, system");
    }

    @Test
    void thePythonAskedForIsCarriedAndKeyed() throws Exception {
        ManagerSelector.Choice c = new ManagerSelector(with(), "python3")
                .choose(new EnvironmentRequest(null, "3.11", repo, repo, null, null, null), notes::add);
        assertThat(c.spec().python()).isEqualTo("3.11");
        assertThat(c.manager()).isEqualTo("pip");
    }
}

package io.drover.agent.env;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * uv and conda cannot be installed on the build machines: these run where the tool is on PATH
 * (the GPU box has /usr/local/bin/uv) and skip with the reason otherwise.
 */
class OptionalToolsTest {
    static final Tools TOOLS = Tools.fromPath();
    static final Path MIRROR = Path.of("/opt/pypi/simple");

    @TempDir
    Path tmp;

    final List<String> log = Collections.synchronizedList(new ArrayList<>());

    Map<String, String> indexEnv() {
        return Files.isDirectory(MIRROR) ? Map.of("PIP_INDEX_URL", MIRROR.toUri().toString()) : Map.of();
    }

    @Test
    void uvBuildsFromRequirementsAndCaches() throws Exception {
        Optional<Path> uv = TOOLS.find("uv");
        assumeTrue(uv.isPresent(), "uv is not on PATH: the uv builder is tested only where uv is installed");
        Path repo = Files.createDirectories(tmp.resolve("repo"));
        Files.writeString(repo.resolve("requirements.txt"), "six\n");
        Environments envs = new Environments(new EnvironmentCache(tmp.resolve("envs")), "python3", indexEnv(), TOOLS, () -> null);
        EnvironmentRequest req = new EnvironmentRequest("uv", null, repo, repo, null, null, null);
        Environment env = envs.prepare(req, log::add);
        assertThat(env.manager()).isEqualTo("uv");
        assertThat(env.installedPackages()).anyMatch(p -> p.startsWith("six=="));
        assertThat(log).anyMatch(l -> l.contains("$ uv pip install -r requirements.txt"));
        envs.release(env);
        assertThat(envs.prepare(req, log::add).cacheHit()).isTrue();
        assertThat(envs.prepare(new EnvironmentRequest("auto", null, repo, repo, null, null, null), log::add).manager())
                .as("auto prefers uv for requirements when it is there").isEqualTo("uv");
    }

    @Test
    void condaBuildsFromEnvironmentYml() throws Exception {
        ManagerSelector probe = new ManagerSelector(TOOLS, "python3");
        Optional<Path> conda = probe.condaTool();
        assumeTrue(conda.isPresent(), "no conda, mamba or micromamba on PATH: the conda builder is tested only where one is installed");
        Path repo = Files.createDirectories(tmp.resolve("repo"));
        Files.writeString(repo.resolve("environment.yml"), "name: drover-test\nchannels: [conda-forge]\ndependencies:\n  - python=3.11\n  - six\n");
        Environments envs = new Environments(new EnvironmentCache(tmp.resolve("envs")), "python3", Map.of(), TOOLS, () -> null);
        Environment env = envs.prepare(new EnvironmentRequest("auto", null, repo, repo, null, null, null), log::add);
        assertThat(env.manager()).isEqualTo("conda");
        assertThat(env.python()).exists();
        assertThat(env.variables("/usr/bin")).containsEntry("CONDA_PREFIX", env.dir().toString());
        assertThat(env.installedPackages()).anyMatch(p -> p.startsWith("six"));
    }
}

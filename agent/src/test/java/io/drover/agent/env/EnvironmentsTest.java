package io.drover.agent.env;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The agent's entry point with real python3 processes: system, Python versions, uv fallback, CUDA in the key, handles. */
class EnvironmentsTest {
    @TempDir
    Path tmp;

    final List<String> log = Collections.synchronizedList(new ArrayList<>());
    final AtomicReference<String> cuda = new AtomicReference<>();

    static final Tools NO_TOOLS = new Tools(n -> Optional.empty());

    Environments envs(Tools tools) {
        return new Environments(new EnvironmentCache(tmp.resolve("envs")), "python3", Map.of(), tools, cuda::get);
    }

    EnvironmentRequest request(String manager, String python) throws Exception {
        Path repo = Files.createDirectories(tmp.resolve("repo"));
        return new EnvironmentRequest(manager, python, repo, repo, null, null, null);
    }

    @Test
    void systemRunsOnTheAgentsPythonAndCachesNothing() throws Exception {
        Environment e = envs(NO_TOOLS).prepare(request("system", null), log::add);
        assertThat(e.dir()).isNull();
        assertThat(e.manager()).isEqualTo("system");
        assertThat(e.python().toString()).isEqualTo("python3");
        assertThat(e.pythonVersion()).matches("3\\.\\d+\\.\\d+");
        assertThat(e.variables("/usr/bin")).isEmpty();
        assertThat(e.captured()).containsEntry("manager", "system").containsEntry("cacheHit", false);
        assertThat(log).anyMatch(l -> l.contains("nothing installed, nothing isolated"));
        assertThat(tmp.resolve("envs")).doesNotExist();
    }

    @Test
    void aVenvReportsWhatTheTaskRecords() throws Exception {
        Environments envs = envs(NO_TOOLS);
        Environment e = envs.prepare(request("auto", null), log::add);
        assertThat(e.manager()).isEqualTo("pip");
        assertThat(e.cacheHit()).isFalse();
        assertThat(e.variables("/usr/bin")).containsEntry("VIRTUAL_ENV", e.dir().toString())
                .containsEntry("PATH", e.dir().resolve("bin") + ":/usr/bin");
        Map<String, Object> captured = e.captured();
        assertThat(captured).containsOnlyKeys("manager", "python", "key", "cacheHit", "buildSeconds");
        assertThat(captured.get("key")).isEqualTo(e.dir().getFileName().toString());
        assertThat((Double) captured.get("buildSeconds")).isPositive();
        envs.release(e);
        Environment hit = envs.prepare(request("auto", null), log::add);
        assertThat(hit.cacheHit()).isTrue();
        assertThat(hit.pythonVersion()).isEqualTo(e.pythonVersion());
        assertThat(hit.buildSeconds()).isLessThan(e.buildSeconds());
        envs.release(hit);
    }

    @Test
    void theCudaVersionIsPartOfTheKey() throws Exception {
        Environments envs = envs(NO_TOOLS);
        Environment cpu = envs.prepare(request("pip", null), log::add);
        cuda.set("13.0");
        Environment gpu = envs.prepare(request("pip", null), log::add);
        assertThat(gpu.key()).isNotEqualTo(cpu.key());
        assertThat(gpu.cacheHit()).isFalse();
    }

    @Test
    void uvAskedForButMissingBuildsWithPipAndSaysSo() throws Exception {
        Environment e = envs(NO_TOOLS).prepare(request("uv", null), log::add);
        assertThat(e.manager()).isEqualTo("pip");
        assertThat(log).anyMatch(l -> l.startsWith("[drover] ") && l.contains("no uv on the agent's PATH: building with pip instead"));
    }

    @Test
    void aPythonVersionTheMachineLacksFailsWithWhatToDo() throws Exception {
        assertThatThrownBy(() -> envs(NO_TOOLS).prepare(request("pip", "2.7"), log::add))
                .isInstanceOf(EnvBuildException.class)
                .hasMessageContaining("asks for Python 2.7").hasMessageContaining("no python2.7 on its PATH")
                .hasMessageContaining("uv manager");
        assertThatThrownBy(() -> envs(NO_TOOLS).prepare(request("pip", "three"), log::add))
                .hasMessageContaining("'three' is not a version");
    }

    @Test
    void thePythonVersionTheAgentHasNeedsNothingElse() throws Exception {
        String have = PythonInfo.shortVersion(PythonInfo.version("python3"));
        String minor = have.substring(0, have.lastIndexOf('.'));
        Environment e = envs(NO_TOOLS).prepare(request("pip", minor), log::add);
        assertThat(e.pythonVersion()).isEqualTo(have);
    }

    @Test
    void aPythonVersionFoundOnPathBuildsFromThatInterpreter() throws Exception {
        // a python3.X found on PATH (here: the agent's own python under that name)
        String have = PythonInfo.shortVersion(PythonInfo.version("python3"));
        String[] p = have.split("\\.");
        Path real = Path.of(PythonInfo.executable("python3"));
        Tools tools = new Tools(n -> n.equals("python" + p[0] + "." + p[1]) ? Optional.of(real) : Optional.empty());
        Environments envs = new Environments(new EnvironmentCache(tmp.resolve("envs")), "/nonexistent/python", Map.of(), tools, cuda::get);
        assertThatThrownBy(() -> envs.interpreter(p[0] + "." + p[1])).hasMessageContaining("cannot run '/nonexistent/python'");
        Environments ok = new Environments(new EnvironmentCache(tmp.resolve("envs")), "python3", Map.of(), tools, cuda::get);
        assertThat(ok.interpreter(have)).isEqualTo("python3");
    }

    @Test
    void aHandleClosedBeforeTheBuildEndsReleasesTheEnvironment() throws Exception {
        Environments envs = envs(NO_TOOLS);
        EnvironmentHandle h = envs.handle();
        h.close(); // the task was aborted while its environment was building
        Environment e = h.prepare(request("pip", null), log::add);
        assertThat(envs.cache().users(e.key())).isZero();

        EnvironmentHandle running = envs.handle();
        Environment used = running.prepare(request("pip", null), log::add);
        assertThat(envs.cache().users(used.key())).isEqualTo(1);
        running.close();
        running.close();
        assertThat(envs.cache().users(used.key())).isZero();
    }
}

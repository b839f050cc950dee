package io.drover.agent.env;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Real Poetry (Debian's python3-poetry) locking and installing from the local mirror served on
 * loopback, picked by auto from pyproject.toml + poetry.lock.
 */
class PoetryBuilderTest {
    static MirrorServer mirror;
    static Tools tools = Tools.fromPath();

    @TempDir
    Path tmp;

    final List<String> log = Collections.synchronizedList(new ArrayList<>());

    @BeforeAll
    static void serveTheMirror() throws Exception {
        assumeTrue(tools.find("poetry").isPresent(), "no poetry on PATH (apt-get install -y python3-poetry)");
        assumeTrue(Files.isDirectory(MirrorServer.MIRROR.resolve("simple")), "needs the local package mirror /opt/pypi");
        mirror = MirrorServer.start();
    }

    @AfterAll
    static void stop() throws Exception {
        if (mirror != null) mirror.close();
    }

    /** Poetry's caches and config in the test's folder, never the user's. */
    Map<String, String> poetryEnv() {
        Map<String, String> env = new HashMap<>();
        env.put("POETRY_CACHE_DIR", tmp.resolve("poetry-cache").toString());
        env.put("POETRY_CONFIG_DIR", tmp.resolve("poetry-config").toString());
        env.put("PYTHON_KEYRING_BACKEND", "keyring.backends.null.Keyring");
        return env;
    }

    Path project() throws Exception {
        Path repo = Files.createDirectories(tmp.resolve("repo"));
        Files.writeString(repo.resolve("pyproject.toml"), String.join("\n",
                "[tool.poetry]",
                "name = \"demo\"",
                "version = \"0.1.0\"",
                "description = \"\"",
                "authors = [\"Drover <drover@example.com>\"]",
                "",
                "[tool.poetry.dependencies]",
                "python = \"^3.8\"",
                "six = \"*\"",
                "",
                "[[tool.poetry.source]]",
                "name = \"mirror\"",
                "url = \"" + mirror.simpleUrl() + "\"",
                "default = true",
                "",
                "[build-system]",
                "requires = [\"poetry-core\"]",
                "build-backend = \"poetry.core.masonry.api\"",
                ""));
        Map<String, String> env = poetryEnv();
        CommandRunner.Result lock = CommandRunner.run(List.of(tools.find("poetry").get().toString(), "lock", "--no-interaction"),
                repo, env, null);
        assertThat(lock.exitCode()).as(lock.tail(10)).isZero();
        assertThat(repo.resolve("poetry.lock")).exists();
        Files.writeString(repo.resolve("requirements.txt"), "attrs\n"); // lower priority: must be ignored
        return repo;
    }

    @Test
    void autoBuildsThePoetryLockAndCachesIt() throws Exception {
        Path repo = project();
        String locked = lockedVersion(Files.readString(repo.resolve("poetry.lock")), "six");
        Environments envs = new Environments(new EnvironmentCache(tmp.resolve("envs")), "python3", poetryEnv(), tools, () -> null);
        EnvironmentRequest req = new EnvironmentRequest("auto", null, repo, repo, null, null, null);
        Environment env = envs.prepare(req, log::add);
        assertThat(env.manager()).isEqualTo("poetry");
        assertThat(env.cacheHit()).isFalse();
        assertThat(env.installedPackages()).contains("six==" + locked).noneMatch(p -> p.startsWith("attrs=="));
        assertThat(log).anyMatch(l -> l.contains("building the poetry environment") && l.contains("pyproject.toml + poetry.lock"))
                .anyMatch(l -> l.contains("$ poetry install --no-root"))
                .anyMatch(l -> l.startsWith("[drover] ") && l.contains("Installing six"));
        Process p = new ProcessBuilder(env.python().toString(), "-c", "import six, sys; print(six.__version__, sys.prefix)")
                .redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes()).strip();
        assertThat(p.waitFor()).as(out).isZero();
        assertThat(out).isEqualTo(locked + " " + env.dir());
        assertThat(env.dir().resolve(ProjectFiles.DIR).resolve("poetry.lock")).as("built from a copy, not the checkout").exists();
        envs.release(env);

        Environment again = envs.prepare(req, log::add);
        assertThat(again.cacheHit()).isTrue();
        assertThat(again.dir()).isEqualTo(env.dir());

        // a changed lock is a different environment
        Files.writeString(repo.resolve("poetry.lock"), Files.readString(repo.resolve("poetry.lock")) + "\n");
        assertThat(envs.prepare(req, log::add).key()).isNotEqualTo(env.key());
    }

    static String lockedVersion(String lock, String name) {
        int i = lock.indexOf("name = \"" + name + "\"");
        int v = lock.indexOf("version = \"", i) + "version = \"".length();
        return lock.substring(v, lock.indexOf('"', v));
    }
}

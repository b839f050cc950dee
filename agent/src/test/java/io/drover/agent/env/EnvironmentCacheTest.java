package io.drover.agent.env;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Real venvs and a real pip install of one small package from the local mirror. */
class EnvironmentCacheTest {
    static final Path MIRROR = Path.of("/opt/pypi/simple");

    @TempDir
    Path tmp;

    CountingBuilder builder;
    EnvironmentCache cache;
    List<String> log = Collections.synchronizedList(new ArrayList<>());

    /** Counts real builds so the test can tell a cache hit from a rebuild. */
    static final class CountingBuilder implements EnvironmentBuilder {
        final PipVenvBuilder pip;
        final AtomicInteger builds = new AtomicInteger();

        CountingBuilder(Map<String, String> env) {
            pip = new PipVenvBuilder("python3", env);
        }

        public String manager() {
            return pip.manager();
        }

        public String pythonKey(EnvironmentSpec s) throws EnvBuildException, InterruptedException {
            return pip.pythonKey(s);
        }

        public void build(EnvironmentSpec s, Path d, Consumer<String> l) throws EnvBuildException, InterruptedException {
            builds.incrementAndGet();
            pip.build(s, d, l);
        }

        public Path python(Path d) {
            return pip.python(d);
        }

        public List<String> freeze(Path d) throws EnvBuildException, InterruptedException {
            return pip.freeze(d);
        }
    }

    @BeforeEach
    void setUp() {
        // the mirror goes to pip's child environment only, never into product code
        Map<String, String> env = Files.isDirectory(MIRROR) ? Map.of("PIP_INDEX_URL", MIRROR.toUri().toString()) : Map.of();
        builder = new CountingBuilder(env);
        cache = new EnvironmentCache(tmp.resolve("envs"));
    }

    static EnvironmentSpec six() {
        return new EnvironmentSpec("six\n", "requirements.txt");
    }

    @Test
    void buildsWithARequirementThenHitsTheCacheInMilliseconds() throws Exception {
        assumeTrue(Files.isDirectory(MIRROR), "needs the local package mirror");
        Environment env = cache.get(builder, six(), log::add);
        assertThat(env.cacheHit()).isFalse();
        assertThat(env.installedPackages()).anyMatch(p -> p.startsWith("six=="));
        assertThat(env.pythonVersion()).matches("3\\.\\d+\\.\\d+.*");
        assertThat(env.dir().resolve(EnvironmentCache.READY)).exists();
        Process p = new ProcessBuilder(env.python().toString(), "-c", "import six, sys; print(sys.prefix)")
                .redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes()).strip();
        assertThat(p.waitFor()).as(out).isZero();
        assertThat(out).isEqualTo(env.dir().toString());
        assertThat(log).anyMatch(l -> l.startsWith("[drover] building the pip environment"))
                .anyMatch(l -> l.startsWith("[drover] ") && l.contains("six"));

        long t0 = System.nanoTime();
        Environment again = cache.get(builder, six(), log::add);
        double ms = (System.nanoTime() - t0) / 1e6;
        assertThat(again.cacheHit()).isTrue();
        assertThat(ms).as("cache hit ms (a rebuild takes seconds)").isLessThan(500);
        assertThat(again.installedPackages()).isEqualTo(env.installedPackages());
        assertThat(builder.builds.get()).isEqualTo(1);
    }

    @Test
    void noRequirementsGiveACachedEmptyVenv() throws Exception {
        Environment env = cache.get(builder, EnvironmentSpec.none(), log::add);
        assertThat(env.python()).exists();
        assertThat(env.installedPackages()).isEmpty();
        assertThat(cache.get(builder, EnvironmentSpec.none(), log::add).cacheHit()).isTrue();
        assertThat(builder.builds.get()).isEqualTo(1);
    }

    @Test
    void aHalfBuiltEnvironmentIsRebuilt() throws Exception {
        Environment env = cache.get(builder, EnvironmentSpec.none(), log::add);
        cache.release(env);
        Files.delete(env.dir().resolve(EnvironmentCache.READY)); // as if the agent died mid-build
        Files.writeString(env.dir().resolve("junk"), "x");
        log.clear();
        Environment rebuilt = cache.get(builder, EnvironmentSpec.none(), log::add);
        assertThat(rebuilt.cacheHit()).isFalse();
        assertThat(rebuilt.dir()).isEqualTo(env.dir());
        assertThat(rebuilt.dir().resolve("junk")).doesNotExist();
        assertThat(log).anyMatch(l -> l.contains("discarding the half-built environment"));
        assertThat(builder.builds.get()).isEqualTo(2);
    }

    @Test
    void concurrentRequestsForOneKeyBuildOnce() throws Exception {
        assumeTrue(Files.isDirectory(MIRROR), "needs the local package mirror");
        List<CompletableFuture<Environment>> all = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            all.add(CompletableFuture.supplyAsync(() -> {
                try {
                    return cache.get(builder, six(), log::add);
                } catch (Exception e) {
                    throw new RuntimeException(e);
                }
            }));
        }
        List<Environment> envs = new ArrayList<>();
        for (CompletableFuture<Environment> f : all) envs.add(f.get(180, TimeUnit.SECONDS));
        assertThat(builder.builds.get()).isEqualTo(1);
        assertThat(envs).extracting(Environment::dir).containsOnly(envs.get(0).dir());
        assertThat(envs).allMatch(e -> e.installedPackages().stream().anyMatch(p -> p.startsWith("six==")));
    }

    @Test
    void theKeyCoversManagerPythonAndRequirements() {
        String k = EnvironmentCache.key("pip", "3.11.7", "six\n", null, null);
        assertThat(EnvironmentCache.key("pip", "3.11.7", "six\n", null, null)).isEqualTo(k);
        assertThat(EnvironmentCache.key("uv", "3.11.7", "six\n", null, null)).isNotEqualTo(k);
        assertThat(EnvironmentCache.key("pip", "3.12.1", "six\n", null, null)).isNotEqualTo(k);
        assertThat(EnvironmentCache.key("pip", "3.11.7", "six==1.16\n", null, null)).isNotEqualTo(k);
        assertThat(EnvironmentCache.key("pip", "3.11.7", "six\n", "python:3.11-slim", null)).isNotEqualTo(k);
        assertThat(EnvironmentCache.key("pip", "3.11.7", "six\n", null, "13.0")).isNotEqualTo(k);
        assertThat(EnvironmentCache.key("pip", "3.11.7", "six\n", null, "12.4"))
                .isNotEqualTo(EnvironmentCache.key("pip", "3.11.7", "six\n", null, "13.0"));
    }

    @Test
    void aRequirementThatCannotInstallFailsWithPipsWords() {
        assumeTrue(Files.isDirectory(MIRROR), "needs the local package mirror");
        assertThatThrownBy(() -> cache.get(builder, new EnvironmentSpec("no-such-package-drover-xyz\n", "req.txt"), log::add))
                .isInstanceOf(EnvBuildException.class)
                .hasMessageContaining("pip install -r req.txt failed")
                .hasMessageContaining("no-such-package-drover-xyz");
    }
}

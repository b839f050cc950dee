package io.drover.agent.env;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * LRU eviction by count and by free disk, in-use protection (this agent and another process),
 * and waiting on another process's build — with real venvs (empty, 0.2 s each) and a real second
 * process (python3 taking the key's lock file with fcntl, as another agent's JVM would).
 */
class EnvironmentCacheEvictionTest {
    @TempDir
    Path tmp;

    final List<String> log = Collections.synchronizedList(new ArrayList<>());
    final AtomicLong freeMb = new AtomicLong(100_000);
    EmptyVenvs builder;

    /** Empty venvs whose key still differs per spec content (what would be installed is irrelevant here). */
    static final class EmptyVenvs implements EnvironmentBuilder {
        final PipVenvBuilder pip = new PipVenvBuilder("python3", Map.of());
        final AtomicInteger builds = new AtomicInteger();

        public String manager() {
            return "pip";
        }

        public String pythonKey(EnvironmentSpec s) {
            return "test";
        }

        public void build(EnvironmentSpec s, Path d, Consumer<String> l) throws EnvBuildException, InterruptedException {
            builds.incrementAndGet();
            pip.build(EnvironmentSpec.none(), d, l);
        }
    }

    static EnvironmentSpec spec(int n) {
        return new EnvironmentSpec("# env " + n + "\n", "requirements.txt");
    }

    @BeforeEach
    void setUp() {
        builder = new EmptyVenvs();
    }

    EnvironmentCache cache(int max, long minFreeMb) {
        return new EnvironmentCache(tmp.resolve("envs"), new EnvCacheConfig(max, minFreeMb), dir -> freeMb.get() * 1024 * 1024);
    }

    /** Builds and releases at once (an ended task), with distinct last-used times. */
    Environment use(EnvironmentCache c, int n) throws Exception {
        Environment e = c.get(builder, spec(n), log::add);
        c.release(e);
        Thread.sleep(20); // mtime order
        return e;
    }

    @Test
    void theLeastRecentlyUsedGoFirstWhenThereAreTooMany() throws Exception {
        EnvironmentCache c = cache(2, 0);
        Environment e1 = use(c, 1);
        Environment e2 = use(c, 2);
        assertThat(c.get(builder, spec(1), log::add).cacheHit()).isTrue(); // env 1 now used more recently than env 2
        c.release(e1);
        Thread.sleep(20);
        Environment e3 = use(c, 3);
        assertThat(e1.dir()).exists();
        assertThat(e2.dir()).doesNotExist();
        assertThat(e3.dir().resolve(EnvironmentCache.READY)).exists();
        assertThat(log).anyMatch(l -> l.contains("evicted the environment " + e2.key()) && l.contains("more than 2 cached"));
        assertThat(builder.builds.get()).isEqualTo(3);
        // an evicted env is simply built again
        assertThat(c.get(builder, spec(2), log::add).cacheHit()).isFalse();
    }

    @Test
    void anEnvironmentInUseIsNeverEvicted() throws Exception {
        EnvironmentCache c = cache(1, 0);
        Environment held = c.get(builder, spec(1), log::add); // a running task holds it
        Environment e2 = use(c, 2);
        assertThat(held.dir().resolve(EnvironmentCache.READY)).exists();
        assertThat(c.users(held.key())).isEqualTo(1);
        c.release(held);
        assertThat(c.users(held.key())).isZero();
        use(c, 3); // now env 1 (and 2) may go
        assertThat(held.dir()).doesNotExist();
        assertThat(e2.dir()).doesNotExist();
    }

    @Test
    void lowDiskEvictsUntilThereIsRoomAgain() throws Exception {
        EnvironmentCache c = cache(100, 500);
        Environment e1 = use(c, 1);
        Environment e2 = use(c, 2);
        Environment e3 = use(c, 3);
        // the disk fills up: 300 MB free, threshold 500; each eviction "frees" 150 MB
        freeMb.set(300);
        DiskProbe freeing = dir -> {
            long n = 0;
            for (Environment e : List.of(e1, e2, e3)) if (!Files.exists(e.dir())) n++;
            return (300 + 150 * n) * 1024 * 1024;
        };
        EnvironmentCache low = new EnvironmentCache(tmp.resolve("envs"), new EnvCacheConfig(100, 500), freeing);
        Environment e4 = low.get(builder, spec(4), log::add);
        assertThat(e1.dir()).doesNotExist();
        assertThat(e2.dir()).doesNotExist();
        assertThat(e3.dir()).exists(); // 600 MB free after two evictions: enough
        assertThat(e4.dir().resolve(EnvironmentCache.READY)).exists();
        assertThat(log).anyMatch(l -> l.contains("evicted the environment " + e1.key()) && l.contains("below 500 MB"));
        low.release(e4);
    }

    @Test
    void aFullDiskWithEverythingInUseIsReportedNotFatal() throws Exception {
        freeMb.set(10);
        EnvironmentCache c = cache(100, 500);
        Environment e = c.get(builder, spec(1), log::add);
        assertThat(e.dir().resolve(EnvironmentCache.READY)).exists();
        assertThat(log).anyMatch(l -> l.contains("only 10 MB free") && l.contains("every cached environment is in use"));
        c.release(e);
    }

    @Test
    void anEnvironmentAnotherAgentUsesIsNotEvicted() throws Exception {
        EnvironmentCache c = cache(1, 0);
        Environment e1 = use(c, 1);
        // another agent process on this box runs a task in env 1: it holds the key's lock file shared
        Process other = holdLock(tmp.resolve("envs").resolve(e1.key() + ".lock"), false, 0);
        try {
            use(c, 2);
            assertThat(e1.dir().resolve(EnvironmentCache.READY)).as("in use by another process").exists();
        } finally {
            other.destroy();
            other.waitFor(10, TimeUnit.SECONDS);
        }
        use(c, 3);
        assertThat(e1.dir()).doesNotExist();
    }

    @Test
    void aBuildByAnotherAgentIsWaitedForNotRepeated() throws Exception {
        EnvironmentCache c = cache(10, 0);
        // find the key, then play another agent: it holds the lock, builds (a copy of a real env), marks it ready
        Environment model = use(c, 1);
        String key = EnvironmentCache.key("pip", "test", spec(2).content(), null, null);
        Path target = tmp.resolve("envs").resolve(key);
        Process other = holdLock(tmp.resolve("envs").resolve(key + ".lock"), true, 1500);
        Thread.sleep(300); // it has the lock now
        Files.createDirectories(target.resolve("bin"));
        Files.createSymbolicLink(target.resolve("bin").resolve("python"), model.python().toRealPath());
        Files.copy(model.dir().resolve(EnvironmentCache.META), target.resolve(EnvironmentCache.META));
        Files.writeString(target.resolve(EnvironmentCache.READY), "");
        int before = builder.builds.get();
        // a ready marker appeared while the other agent still holds the lock: we wait for its lock, then use it
        long t0 = System.nanoTime();
        Environment e = c.get(builder, spec(2), log::add);
        double waited = (System.nanoTime() - t0) / 1e9;
        assertThat(builder.builds.get()).isEqualTo(before);
        assertThat(e.dir()).isEqualTo(target);
        assertThat(waited).as("waited for the other agent's lock").isGreaterThan(0.5);
        c.release(e);
        other.waitFor(10, TimeUnit.SECONDS);
    }

    @Test
    void aHalfBuildOfAnotherAgentThatDiedIsRebuiltAfterItsLockGoes() throws Exception {
        EnvironmentCache c = cache(10, 0);
        String key = EnvironmentCache.key("pip", "test", spec(5).content(), null, null);
        Path target = tmp.resolve("envs").resolve(key);
        Files.createDirectories(target.resolve("lib"));
        Files.writeString(target.resolve("lib").resolve("partial"), "x"); // no marker: died mid-build
        Process other = holdLock(tmp.resolve("envs").resolve(key + ".lock"), true, 800);
        Thread.sleep(300);
        Environment e = c.get(builder, spec(5), log::add);
        assertThat(e.cacheHit()).isFalse();
        assertThat(target.resolve("lib").resolve("partial")).doesNotExist();
        assertThat(log).anyMatch(l -> l.contains("discarding the half-built environment " + key));
        c.release(e);
        other.waitFor(10, TimeUnit.SECONDS);
    }

    /** A python3 process holding an fcntl lock on {@code file} (what Java's FileLock takes on Linux). */
    static Process holdLock(Path file, boolean exclusive, long millis) throws Exception {
        Files.createDirectories(file.getParent());
        String py = String.join("\n",
                "import fcntl, sys, time",
                "f = open(sys.argv[1], 'a+')",
                "fcntl.lockf(f, fcntl.LOCK_EX if sys.argv[2] == 'x' else fcntl.LOCK_SH)",
                "print('locked', flush=True)",
                "time.sleep(int(sys.argv[3]) / 1000 if int(sys.argv[3]) > 0 else 3600)");
        Process p = new ProcessBuilder("python3", "-c", py, file.toString(), exclusive ? "x" : "s", String.valueOf(millis))
                .redirectErrorStream(true).start();
        String first = new java.io.BufferedReader(new java.io.InputStreamReader(p.getInputStream())).readLine();
        assertThat(first).isEqualTo("locked");
        return p;
    }
}

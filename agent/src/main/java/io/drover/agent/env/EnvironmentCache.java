package io.drover.agent.env;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.drover.agent.capture.OutputFiles;
import io.drover.shared.json.Json;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.function.Consumer;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Environments by content: {@code envs/<key>} where the key hashes everything that changes the
 * result (manager, Python, requirement/lock content, Docker image, CUDA version). A directory
 * counts only once its {@code .drover-ready} marker exists, written last; anything else there is
 * a crashed build and is wiped and rebuilt. Concurrent requests for one key build once: threads
 * of this agent share a future, agents on one machine take the key's file lock ({@link KeyLocks}).
 *
 * <p>Every environment handed out is in use until {@link #release}; the least recently used ones
 * that nobody uses are evicted when there are more than {@code maxEntries} or less than
 * {@code minFreeMb} free disk.
 */
public final class EnvironmentCache {
    public static final String READY = ".drover-ready";
    static final String META = ".drover-env.json";
    static final String USED = ".drover-used";
    private static final Pattern KEY = Pattern.compile("[0-9a-f]{32}");

    private final Path envsDir;
    private final EnvCacheConfig config;
    private final DiskProbe disk;
    private final KeyLocks locks;
    private final ConcurrentHashMap<String, CompletableFuture<Void>> building = new ConcurrentHashMap<>();

    public EnvironmentCache(Path envsDir) {
        this(envsDir, EnvCacheConfig.defaults(), DiskProbe.fileStore());
    }

    public EnvironmentCache(Path envsDir, EnvCacheConfig config, DiskProbe disk) {
        this.envsDir = envsDir.toAbsolutePath().normalize();
        this.config = config;
        this.disk = disk;
        this.locks = new KeyLocks(this.envsDir);
    }

    public Path dir() {
        return envsDir;
    }

    /**
     * The ready environment for {@code spec}, built now when missing, and marked in use until
     * {@link #release}.
     */
    public Environment get(EnvironmentBuilder builder, EnvironmentSpec spec, Consumer<String> log)
            throws EnvBuildException, InterruptedException {
        long t0 = System.nanoTime();
        String key = key(builder.manager(), builder.pythonKey(spec), spec.content(), spec.image(), spec.cudaVersion());
        Path dir = envsDir.resolve(key);
        try {
            Files.createDirectories(envsDir);
        } catch (IOException e) {
            throw new EnvBuildException("cannot create the environment cache " + envsDir + ": " + e.getMessage(), e);
        }
        for (int attempt = 0; attempt < 3; attempt++) {
            if (Files.exists(dir.resolve(READY))) {
                Environment ready = acquire(builder, key, dir);
                if (ready != null) {
                    boolean hit = attempt == 0; // later attempts follow a build (ours or one we waited for)
                    if (hit) log.accept("[drover] using the cached " + builder.manager() + " environment " + key);
                    return ready.withHit(hit, seconds(t0));
                }
            }
            buildOnce(builder, spec, key, dir, log);
        }
        throw new EnvBuildException("the environment " + key + " was removed right after each of 3 builds;"
                + " another agent sharing " + envsDir + " evicts it: raise its --env-cache-max or --env-cache-min-free-mb");
    }

    /** Ends one use of {@code env} (from {@link #get}); evictable again once nobody uses it. */
    public void release(Environment env) {
        if (env != null && env.dir() != null && KEY.matcher(env.key()).matches()) locks.releaseShared(env.key());
    }

    /** How many uses of the key this agent holds (tests). */
    int users(String key) {
        return locks.users(key);
    }

    /** sha256 over manager, Python, the inputs' content, the Docker image and the CUDA version. */
    public static String key(String manager, String python, String content, String image, String cuda) {
        try {
            MessageDigest d = MessageDigest.getInstance("SHA-256");
            for (String part : new String[] {manager, python, content, image, cuda}) {
                d.update((part == null ? "" : part).getBytes(StandardCharsets.UTF_8));
                d.update((byte) 0);
            }
            return HexFormat.of().formatHex(d.digest(), 0, 16);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Shared use of a ready environment, or null when it vanished (evicted) before the lock. */
    private Environment acquire(EnvironmentBuilder builder, String key, Path dir) throws EnvBuildException {
        try {
            locks.acquireShared(key);
        } catch (IOException e) {
            throw new EnvBuildException("cannot lock the environment " + key + ": " + e.getMessage(), e);
        }
        Environment env = readReady(builder, key, dir);
        if (env == null) {
            locks.releaseShared(key);
            return null;
        }
        touch(dir);
        return env;
    }

    /** Builds the key unless another thread or agent is; true when this call waited for someone else's build. */
    private boolean buildOnce(EnvironmentBuilder builder, EnvironmentSpec spec, String key, Path dir, Consumer<String> log)
            throws EnvBuildException, InterruptedException {
        CompletableFuture<Void> mine = new CompletableFuture<>();
        CompletableFuture<Void> theirs = building.putIfAbsent(key, mine);
        if (theirs != null) {
            log.accept("[drover] waiting for the environment " + key + " another task is building");
            join(theirs);
            return true;
        }
        try {
            buildLocked(builder, spec, key, dir, log);
            mine.complete(null);
            return false;
        } catch (EnvBuildException | InterruptedException | RuntimeException e) {
            mine.completeExceptionally(e);
            throw e;
        } finally {
            building.remove(key, mine);
        }
    }

    private void buildLocked(EnvironmentBuilder builder, EnvironmentSpec spec, String key, Path dir, Consumer<String> log)
            throws EnvBuildException, InterruptedException {
        try {
            evict(Set.of(key), log); // room first: a low disk is the usual reason a build fails
            locks.exclusive(key, () -> {
                if (readReady(builder, key, dir) != null) return null; // another agent finished it meanwhile
                if (Files.exists(dir)) {
                    log.accept("[drover] discarding the half-built environment " + key);
                    OutputFiles.deleteTree(dir);
                }
                Files.createDirectories(dir);
                long t0 = System.nanoTime();
                log.accept("[drover] building the " + builder.manager() + " environment " + key
                        + (spec.requirementsName() != null ? " from " + spec.requirementsName() : " (no requirements)"));
                builder.build(spec, dir, line -> log.accept("[drover] " + line));
                List<String> packages = builder.freeze(dir);
                String python = Freeze.pythonVersion(builder.python(dir));
                double took = seconds(t0);
                ObjectNode meta = Json.object();
                meta.put("key", key);
                meta.put("manager", builder.manager());
                meta.put("python", python);
                meta.put("builtAt", Instant.now().toString());
                meta.put("buildSeconds", took);
                if (spec.image() != null) meta.put("image", spec.image());
                if (spec.cudaVersion() != null) meta.put("cudaVersion", spec.cudaVersion());
                meta.putPOJO("installedPackages", packages);
                Files.writeString(dir.resolve(META), Json.write(meta));
                touch(dir);
                Files.writeString(dir.resolve(READY), ""); // last: only now may anyone use it
                log.accept(String.format("[drover] environment ready in %.1f s (%d packages)", took, packages.size()));
                return null;
            });
            evict(Set.of(key), log);
        } catch (IOException e) {
            throw new EnvBuildException("cannot prepare the environment directory " + dir + ": " + e.getMessage(), e);
        }
    }

    /**
     * Removes least recently used environments nobody uses while there are more than the limit or
     * the disk is below the threshold; {@code keep} is never removed. Crashed half-builds count
     * (and go first: they were last used when they started).
     */
    void evict(Set<String> keep, Consumer<String> log) throws IOException, InterruptedException, EnvBuildException {
        List<Path> entries = new ArrayList<>();
        try (Stream<Path> s = Files.list(envsDir)) {
            s.filter(p -> Files.isDirectory(p) && KEY.matcher(p.getFileName().toString()).matches()).forEach(entries::add);
        }
        entries.sort(Comparator.comparing(EnvironmentCache::lastUsed));
        int count = entries.size();
        for (Path e : entries) {
            boolean tooMany = count > config.maxEntries();
            long freeMb = config.minFreeMb() == 0 ? Long.MAX_VALUE : disk.freeBytes(envsDir) / (1024 * 1024);
            boolean diskLow = freeMb < config.minFreeMb();
            if (!tooMany && !diskLow) return;
            String key = e.getFileName().toString();
            if (keep.contains(key)) continue;
            boolean removed = locks.tryExclusive(key, () -> {
                Files.deleteIfExists(e.resolve(READY)); // first: a half-deleted env must never look ready
                OutputFiles.deleteTree(e);
                return null;
            });
            if (removed) {
                count--;
                log.accept("[drover] evicted the environment " + key + " (" + (tooMany ? "more than "
                        + config.maxEntries() + " cached" : freeMb + " MB free, below " + config.minFreeMb() + " MB") + ")");
            }
        }
        long freeMb = config.minFreeMb() == 0 ? Long.MAX_VALUE : disk.freeBytes(envsDir) / (1024 * 1024);
        if (freeMb < config.minFreeMb()) {
            log.accept("[drover] only " + freeMb + " MB free under " + envsDir + " (below " + config.minFreeMb()
                    + " MB) and every cached environment is in use");
        }
    }

    private static FileTime lastUsed(Path dir) {
        try {
            Path used = dir.resolve(USED);
            return Files.getLastModifiedTime(Files.exists(used) ? used : dir);
        } catch (IOException e) {
            return FileTime.fromMillis(0);
        }
    }

    private static void touch(Path dir) {
        try {
            Path used = dir.resolve(USED);
            if (!Files.exists(used)) Files.createFile(used);
            Files.setLastModifiedTime(used, FileTime.from(Instant.now()));
        } catch (IOException ignored) {
            // LRU order only; a read-only cache still works
        }
    }

    private static Environment readReady(EnvironmentBuilder builder, String key, Path dir) {
        if (!Files.exists(dir.resolve(READY))) return null;
        try {
            JsonNode meta = Json.parse(Files.readString(dir.resolve(META)));
            List<String> packages = new ArrayList<>();
            meta.path("installedPackages").forEach(p -> packages.add(p.asText()));
            return new Environment(dir, builder.python(dir), meta.path("python").asText(), packages, true,
                    builder.manager(), key, 0);
        } catch (IOException | IllegalArgumentException e) {
            return null; // unreadable metadata: treat as half-built
        }
    }

    private static void join(CompletableFuture<Void> f) throws EnvBuildException, InterruptedException {
        try {
            f.get();
        } catch (ExecutionException e) {
            if (e.getCause() instanceof EnvBuildException b) throw b;
            throw new EnvBuildException("building the environment failed: " + e.getCause(), e.getCause());
        }
    }

    private static double seconds(long t0) {
        return (System.nanoTime() - t0) / 1e9;
    }
}

package io.drover.agent.env;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.drover.agent.capture.OutputFiles;
import io.drover.shared.json.Json;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.function.Consumer;

/**
 * Environments by content: {@code envs/<key>} where the key hashes everything that changes the
 * result (manager, Python version, requirements). A directory counts only once its
 * {@code .drover-ready} marker exists, written last; anything else there is a crashed build and is
 * wiped and rebuilt. Concurrent requests for one key build once: threads of this agent share a
 * future, agents on one machine sharing the directory take a file lock.
 */
public final class EnvironmentCache {
    public static final String READY = ".drover-ready";
    private static final String META = ".drover-env.json";

    private final Path envsDir;
    private final String systemPython;
    private final ConcurrentHashMap<String, CompletableFuture<Environment>> building = new ConcurrentHashMap<>();

    public EnvironmentCache(Path envsDir, String systemPython) {
        this.envsDir = envsDir;
        this.systemPython = systemPython;
    }

    /** The ready environment for {@code spec}, built now when missing. */
    public Environment get(EnvironmentBuilder builder, EnvironmentSpec spec, Consumer<String> log)
            throws EnvBuildException, InterruptedException {
        String version = PythonInfo.version(systemPython);
        String key = key(builder.manager(), version, spec.requirements());
        Path dir = envsDir.resolve(key);
        Environment ready = readReady(builder, dir);
        if (ready != null) return ready;

        CompletableFuture<Environment> mine = new CompletableFuture<>();
        CompletableFuture<Environment> theirs = building.putIfAbsent(key, mine);
        if (theirs != null) {
            log.accept("[drover] waiting for the environment " + key + " another task is building");
            return join(theirs);
        }
        try {
            Environment env = buildLocked(builder, spec, version, dir, log);
            mine.complete(env);
            return env;
        } catch (EnvBuildException | InterruptedException | RuntimeException e) {
            mine.completeExceptionally(e);
            throw e;
        } finally {
            building.remove(key, mine);
        }
    }

    /** sha256 over manager, full Python version and the requirements' content. */
    public static String key(String manager, String pythonVersion, String requirements) {
        try {
            MessageDigest d = MessageDigest.getInstance("SHA-256");
            for (String part : new String[] {manager, pythonVersion, requirements == null ? "" : requirements}) {
                d.update(part.getBytes(StandardCharsets.UTF_8));
                d.update((byte) 0);
            }
            return HexFormat.of().formatHex(d.digest(), 0, 16);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private Environment buildLocked(EnvironmentBuilder builder, EnvironmentSpec spec, String version, Path dir,
            Consumer<String> log) throws EnvBuildException, InterruptedException {
        try {
            Files.createDirectories(envsDir);
            Path lockFile = envsDir.resolve(dir.getFileName() + ".lock");
            try (FileChannel ch = FileChannel.open(lockFile, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
                    FileLock ignored = ch.lock()) {
                Environment ready = readReady(builder, dir); // another agent may have finished meanwhile
                if (ready != null) return ready;
                if (Files.exists(dir)) {
                    log.accept("[drover] discarding the half-built environment " + dir.getFileName());
                    OutputFiles.deleteTree(dir);
                }
                Files.createDirectories(dir);
                long t0 = System.nanoTime();
                log.accept("[drover] building the " + builder.manager() + " environment " + dir.getFileName()
                        + (spec.hasRequirements() ? " from " + spec.requirementsName() : " (no requirements)"));
                builder.build(spec, dir, line -> log.accept("[drover] " + line));
                List<String> packages = builder.freeze(dir);
                ObjectNode meta = Json.object();
                meta.put("manager", builder.manager());
                meta.put("python", PythonInfo.shortVersion(version));
                meta.put("pythonVersion", version);
                meta.putPOJO("installedPackages", packages);
                Files.writeString(dir.resolve(META), Json.write(meta));
                Files.writeString(dir.resolve(READY), ""); // last: only now may anyone use it
                log.accept(String.format("[drover] environment ready in %.1f s", (System.nanoTime() - t0) / 1e9));
                return new Environment(dir, builder.python(dir), PythonInfo.shortVersion(version), packages, false);
            }
        } catch (IOException e) {
            throw new EnvBuildException("cannot prepare the environment directory " + dir + ": " + e.getMessage(), e);
        }
    }

    private static Environment readReady(EnvironmentBuilder builder, Path dir) {
        if (!Files.exists(dir.resolve(READY))) return null;
        try {
            JsonNode meta = Json.parse(Files.readString(dir.resolve(META)));
            List<String> packages = new ArrayList<>();
            meta.path("installedPackages").forEach(p -> packages.add(p.asText()));
            return new Environment(dir, builder.python(dir), meta.path("python").asText(), packages, true);
        } catch (IOException | IllegalArgumentException e) {
            return null; // unreadable metadata: treat as half-built
        }
    }

    private static Environment join(CompletableFuture<Environment> f) throws EnvBuildException, InterruptedException {
        try {
            Environment e = f.get();
            return new Environment(e.dir(), e.python(), e.pythonVersion(), e.installedPackages(), true);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof EnvBuildException b) throw b;
            throw new EnvBuildException("building the environment failed: " + e.getCause(), e.getCause());
        }
    }
}

package io.drover.agent.docker;

import com.github.dockerjava.api.command.BuildImageResultCallback;
import com.github.dockerjava.api.exception.NotFoundException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;

/**
 * A real Docker Engine API for tests: {@code $DOCKER_HOST}, else the Podman-backed socket that
 * {@code scripts/ci/docker-api-via-podman.sh} starts. Tests skip, saying why, when none answers.
 * Images: {@code localhost/busybox:test} (made by that script) and a small Python image built here
 * through the API's build call from this machine's Debian python3 (interpreter, its libraries, the
 * standard library without tests/IDLE/tk, and pip), cached in the engine between runs.
 */
final class DockerTestSupport {
    static final String BUSYBOX = "localhost/busybox:test";
    static final String PYTHON = "localhost/drover-python:test";
    private static final String PODMAN_SOCKET = "/tmp/podman-docker.sock";
    private static DockerEngine engine;
    private static String skipReason;
    private static boolean pythonBuilt;

    private DockerTestSupport() {}

    /** The engine, or the test is skipped with the reason. */
    static synchronized DockerEngine engine() {
        if (engine == null && skipReason == null) {
            String host = System.getenv("DOCKER_HOST");
            if ((host == null || host.isBlank()) && Files.exists(Path.of(PODMAN_SOCKET))) host = "unix://" + PODMAN_SOCKET;
            DockerEngine e = DockerEngine.connect(host);
            try {
                e.ping();
                e.client().inspectImageCmd(BUSYBOX).exec();
                engine = e;
            } catch (ContainerException ex) {
                skipReason = ex.getMessage() + " — run scripts/ci/docker-api-via-podman.sh and export DOCKER_HOST=$(… | tail -1)";
            } catch (NotFoundException ex) {
                skipReason = "the Docker engine at " + e.host() + " has no " + BUSYBOX + ": run scripts/ci/docker-api-via-podman.sh";
            }
        }
        Assumptions.assumeTrue(engine != null, () -> "no Docker engine for Docker-mode tests: " + skipReason);
        return engine;
    }

    /** The Python image, built through the API on first use (about 40 MB of this machine's python3). */
    static synchronized String pythonImage() {
        DockerEngine e = engine();
        if (pythonBuilt) return PYTHON;
        try {
            e.client().inspectImageCmd(PYTHON).exec();
            pythonBuilt = true;
            return PYTHON;
        } catch (NotFoundException absent) {
            // build it below
        }
        Path py = Path.of("/usr/bin/python3.11");
        Path stdlib = Path.of("/usr/lib/python3.11");
        Assumptions.assumeTrue(Files.isExecutable(py) && Files.isDirectory(stdlib),
                "no Debian python3.11 on this machine to assemble the test Python image from");
        try {
            Path ctx = Files.createTempDirectory("drover-pyimage");
            Path root = ctx.resolve("rootfs");
            copy(py, root.resolve("usr/bin/python3"));
            Set<String> skip = Set.of("test", "idlelib", "tkinter", "turtledemo", "lib2to3", "pydoc_data", "__pycache__",
                    "config-3.11-x86_64-linux-gnu", "sitecustomize.py", "site-packages", "dist-packages");
            copyTree(stdlib, root.resolve("usr/lib/python3.11"), skip);
            copyTree(Path.of("/usr/lib/python3/dist-packages/pip"), root.resolve("usr/lib/python3/dist-packages/pip"), skip);
            Set<Path> libs = new TreeSet<>();
            for (String l : List.of("libc.so.6", "libm.so.6", "libz.so.1", "libexpat.so.1", "libffi.so.8", "libbz2.so.1.0",
                    "liblzma.so.5", "libuuid.so.1", "libssl.so.3", "libcrypto.so.3")) {
                Path p = Path.of("/lib/x86_64-linux-gnu", l);
                if (Files.exists(p)) libs.add(p);
            }
            for (Path l : libs) copy(l, root.resolve("lib/x86_64-linux-gnu").resolve(l.getFileName()));
            copy(Path.of("/lib64/ld-linux-x86-64.so.2"), root.resolve("lib64/ld-linux-x86-64.so.2"));
            Files.writeString(ctx.resolve("Dockerfile"), "FROM " + BUSYBOX + "\nCOPY rootfs/ /\n"
                    + "ENV PATH=/usr/local/bin:/usr/bin:/bin\n");
            e.client().buildImageCmd(ctx.toFile()).withTags(Set.of(PYTHON)).withPull(false)
                    .exec(new BuildImageResultCallback()).awaitImageId(5, TimeUnit.MINUTES);
            io.drover.agent.capture.OutputFiles.deleteTree(ctx);
        } catch (IOException ex) {
            throw new UncheckedIOException(ex);
        }
        pythonBuilt = true;
        return PYTHON;
    }

    private static void copy(Path from, Path to) throws IOException {
        Files.createDirectories(to.getParent());
        Files.copy(from, to, StandardCopyOption.REPLACE_EXISTING); // follows links: the image gets real files
        to.toFile().setExecutable(Files.isExecutable(from));
    }

    private static void copyTree(Path from, Path to, Set<String> skip) throws IOException {
        try (Stream<Path> s = Files.list(from)) {
            for (Path p : s.toList()) {
                String name = p.getFileName().toString();
                if (skip.contains(name)) continue;
                if (Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)) copyTree(p, to.resolve(name), skip);
                else if (Files.exists(p)) copy(p, to.resolve(name));
            }
        }
    }
}

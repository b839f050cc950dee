package io.drover.agent.capture;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Arrays;

/** The per-agent directory put first on every task's PYTHONPATH; holds our {@code sitecustomize.py} and
 * the {@code drover} client package. */
public final class HookDir {
    private HookDir() {}

    /** Writes (or refreshes) the hooks into {@code dir} and returns it. */
    public static Path install(Path dir) {
        copy("/io/drover/agent/sitecustomize.py", dir.resolve("sitecustomize.py"));
        // the Python client: `import drover` works in every task without installing it
        copy(io.drover.shared.PythonClientSource.RESOURCE, dir.resolve("drover").resolve("__init__.py"));
        return dir;
    }

    private static void copy(String resource, Path target) {
        try (InputStream in = HookDir.class.getResourceAsStream(resource)) {
            if (in == null) throw new IllegalStateException(resource + " missing from the agent jar");
            byte[] bytes = in.readAllBytes();
            Path dir = target.getParent();
            Files.createDirectories(dir);
            if (!Files.exists(target) || !Arrays.equals(Files.readAllBytes(target), bytes)) {
                Path tmp = Files.createTempFile(dir, "hook", ".tmp");
                Files.write(tmp, bytes);
                Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the Python hooks into " + target.getParent(), e);
        }
    }
}

package io.drover.agent.capture;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Arrays;

/** The per-agent directory put first on every task's PYTHONPATH; holds our {@code sitecustomize.py}. */
public final class HookDir {
    private HookDir() {}

    /** Writes (or refreshes) the hooks into {@code dir} and returns it. */
    public static Path install(Path dir) {
        try (InputStream in = HookDir.class.getResourceAsStream("/io/drover/agent/sitecustomize.py")) {
            if (in == null) throw new IllegalStateException("sitecustomize.py missing from the agent jar");
            byte[] bytes = in.readAllBytes();
            Files.createDirectories(dir);
            Path target = dir.resolve("sitecustomize.py");
            if (!Files.exists(target) || !Arrays.equals(Files.readAllBytes(target), bytes)) {
                Path tmp = Files.createTempFile(dir, "sitecustomize", ".tmp");
                Files.write(tmp, bytes);
                Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            }
            return dir;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the Python hooks into " + dir, e);
        }
    }
}

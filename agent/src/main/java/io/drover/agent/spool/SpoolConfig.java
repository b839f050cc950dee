package io.drover.agent.spool;

import java.nio.file.Path;

/**
 * Where an agent keeps what it could not deliver while the controller or its store was
 * unreachable ({@code --spool-dir}, {@code --spool-max-mb}).
 *
 * @param dir   the spool directory, one sub-directory per running task; null: {@code spool} under the work dir
 * @param maxMb the bound per task in MiB (default 256); when full the oldest lines go and a console line says how many
 */
public record SpoolConfig(Path dir, long maxMb) {
    public static final long DEFAULT_MAX_MB = 256;

    public SpoolConfig {
        if (maxMb < 1) throw new IllegalArgumentException("--spool-max-mb must be at least 1, got " + maxMb);
        if (dir != null) dir = dir.toAbsolutePath().normalize();
    }

    public static SpoolConfig defaults() {
        return new SpoolConfig(null, DEFAULT_MAX_MB);
    }

    /** The directory, {@code workDir/spool} unless set. */
    public Path dirUnder(Path workDir) {
        return dir != null ? dir : workDir.resolve("spool");
    }

    public long maxBytes() {
        return maxMb << 20;
    }
}

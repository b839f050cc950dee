package io.drover.controller.artifacts;

import io.drover.shared.domain.DroverException;
import io.vertx.core.Future;
import io.vertx.core.file.FileSystem;
import java.nio.file.Path;
import java.util.Locale;

/**
 * The controller's floor of free space on the artifact volume ({@code --artifact-min-free-mb}):
 * an upload that would leave less is refused with 507, so a full artifact disk never takes the
 * embedded store, the logs or the images on the same disk down with it. The free space is read
 * with Vert.x's asynchronous {@code fsProps} (a statfs off the event loop).
 */
final class FreeSpace {
    private final FileSystem fs;
    private final Path volume;
    private final long minFreeBytes;

    /** @param minFreeBytes 0: no floor (a write still fails cleanly when the disk is really full) */
    FreeSpace(FileSystem fs, Path volume, long minFreeBytes) {
        this.fs = fs;
        this.volume = volume;
        this.minFreeBytes = Math.max(0, minFreeBytes);
    }

    long minFreeBytes() {
        return minFreeBytes;
    }

    /**
     * Fails with 507 when storing {@code moreBytes} (-1: unknown, counts as 0) would leave less than
     * the floor, or when more than the free space is announced.
     */
    Future<Void> check(long moreBytes, String taskId, String name) {
        long more = Math.max(0, moreBytes);
        if (minFreeBytes == 0 && more == 0) return Future.succeededFuture();
        return fs.fsProps(volume.toString()).compose(p -> {
            long free = p.usableSpace();
            if (free - more >= minFreeBytes) return Future.succeededFuture();
            return Future.failedFuture(refusal(free, more, taskId, name));
        });
    }

    DroverException refusal(long free, long more, String taskId, String name) {
        String size = more > 0 ? " (" + mb(more) + ")" : "";
        String rule = minFreeBytes > 0 ? " and the controller keeps at least " + mb(minFreeBytes) + " free (--artifact-min-free-mb)" : "";
        return StorageErrors.storageFull("artifact '" + name + "' of task " + taskId + size + " was not stored: only " + mb(free)
                + " free space on the artifact volume (" + volume + ")" + rule + "; " + StorageErrors.WHAT_TO_DO);
    }

    static String mb(long bytes) {
        return String.format(Locale.ROOT, "%.1f MB", bytes / 1048576.0);
    }
}

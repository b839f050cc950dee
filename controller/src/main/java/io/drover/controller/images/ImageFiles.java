package io.drover.controller.images;

import io.drover.shared.domain.DroverException;
import io.drover.shared.domain.ErrorCode;
import io.drover.shared.domain.Ids;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;

/**
 * Image bytes as files under {@code DATA/images/{taskId}/{seq}.{ext}}, next to the artifact
 * store. A file is written to {@code DATA/images/.tmp}, forced to disk and moved into place
 * atomically, so a reader never sees half an image. Blocking java.nio calls: use off the event loop.
 */
public final class ImageFiles {
    private final Path root;
    private final Path tmp;

    /** @param root usually {@code dataDir.resolve("images")}; created on first write */
    public ImageFiles(Path root) {
        this.root = root.toAbsolutePath().normalize();
        this.tmp = this.root.resolve(".tmp");
    }

    public Path root() {
        return root;
    }

    /** Where the image {@code seq} of a task lives (the id is checked, so the path stays under the root). */
    Path file(String taskId, long seq, String contentType) {
        Ids.requireId(taskId, "task id");
        return root.resolve(taskId).resolve(seq + "." + ImageTypes.extension(contentType));
    }

    void write(String taskId, long seq, String contentType, byte[] bytes) {
        Path target = file(taskId, seq, contentType);
        Path part = tmp.resolve(taskId + "-" + seq + "-" + Ids.secret(6) + ".part");
        try {
            Files.createDirectories(tmp);
            try (FileChannel ch = FileChannel.open(part, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
                ByteBuffer buf = ByteBuffer.wrap(bytes);
                while (buf.hasRemaining()) ch.write(buf);
                ch.force(true);
            }
            Files.createDirectories(target.getParent());
            Files.move(part, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            deleteQuietly(part);
            String m = String.valueOf(e.getMessage());
            if (m.contains("No space left") || m.contains("Disk quota exceeded")) {
                throw new DroverException(ErrorCode.INSUFFICIENT_STORAGE, "no space left to store an image of task " + taskId
                        + ": the controller's data directory is full; free disk space and send it again");
            }
            throw new IllegalStateException("cannot write image " + target + ": " + e, e);
        }
    }

    void delete(String taskId, long seq, String contentType) {
        deleteQuietly(file(taskId, seq, contentType));
    }

    private static void deleteQuietly(Path p) {
        try {
            Files.deleteIfExists(p);
        } catch (IOException ignored) {
            // an orphan file costs disk, not correctness: its metadata is gone
        }
    }
}

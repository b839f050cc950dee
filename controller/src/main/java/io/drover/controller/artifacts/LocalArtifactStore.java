package io.drover.controller.artifacts;

import io.drover.shared.domain.DroverException;
import io.drover.shared.domain.Ids;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.file.AsyncFile;
import io.vertx.core.file.CopyOptions;
import io.vertx.core.file.FileSystem;
import io.vertx.core.file.OpenOptions;
import io.vertx.core.streams.ReadStream;
import java.nio.file.Path;

/**
 * Artifacts as files under {@code DATA/artifacts/{taskId}/{name}}. An upload goes to a temporary
 * file in {@code DATA/artifacts/.tmp} (same file system), is flushed to disk, then moved over the
 * target atomically: a reader sees the old file or the new one, never a partial one. All file work
 * is Vert.x's asynchronous file system API.
 *
 * <p>Disk full: an upload is refused with 507 before a byte is written when its Content-Length
 * would leave less than the floor ({@link FreeSpace}), stopped while it streams when it crosses
 * it, and an ENOSPC from the disk itself ends the same way; the partial temp file is deleted.
 */
public final class LocalArtifactStore implements ArtifactStore {
    private final Vertx vertx;
    private final Path root;
    private final Path tmp;
    private final FreeSpace space;

    /** No floor of free space: only a really full disk refuses an upload. */
    public LocalArtifactStore(Vertx vertx, Path root) {
        this(vertx, root, 0);
    }

    /**
     * @param root         usually {@code dataDir.resolve("artifacts")}; created on first use
     * @param minFreeBytes uploads that would leave less free space on the volume are refused (507)
     */
    public LocalArtifactStore(Vertx vertx, Path root, long minFreeBytes) {
        this.vertx = vertx;
        this.root = root.toAbsolutePath().normalize();
        this.tmp = this.root.resolve(".tmp");
        this.space = new FreeSpace(vertx.fileSystem(), this.tmp, minFreeBytes);
    }

    public Path root() {
        return root;
    }

    /** The file of an artifact; refuses anything that would resolve outside the task's folder. */
    Path file(String taskId, String name) {
        Ids.requireId(taskId, "task id");
        Path dir = root.resolve(taskId);
        Path p = dir.resolve(ArtifactNames.check(name)).normalize();
        if (!p.startsWith(dir) || p.equals(dir)) {
            throw DroverException.badRequest("artifact name '" + name + "' leaves the task's folder: " + ArtifactNames.RULES);
        }
        return p;
    }

    @Override
    public Future<Stored> put(String taskId, String name, ReadStream<Buffer> content) {
        return put(taskId, name, content, -1);
    }

    @Override
    public Future<Stored> put(String taskId, String name, ReadStream<Buffer> content, long declaredSize) {
        Path target;
        try {
            target = file(taskId, name);
        } catch (RuntimeException e) {
            return Future.failedFuture(e);
        }
        content.pause();
        FileSystem fs = vertx.fileSystem();
        String temp = tmp.resolve(taskId + "-" + Ids.secret(8) + ".part").toString();
        return fs.mkdirs(tmp.toString())
                .compose(v -> space.check(declaredSize, taskId, name)) // refused before the body is read
                .compose(v -> fs.open(temp, new OpenOptions().setWrite(true).setCreateNew(true)))
                .compose(file -> copy(content, new FreeSpaceGuard(file, space, taskId, name), file)
                        .recover(e -> file.close().transform(x -> Future.failedFuture(e))))
                .compose(stored -> fs.mkdirs(target.getParent().toString())
                        .compose(v -> fs.move(temp, target.toString(), new CopyOptions().setReplaceExisting(true).setAtomicMove(true)))
                        .map(stored))
                // the partial file goes, whatever failed (a missing one, refused before opening, is fine)
                .recover(e -> fs.delete(temp).transform(x -> Future.failedFuture(StorageErrors.map(e, taskId, name, root))));
    }

    /** Pipes content into the file (through {@code sink}) while hashing it, then flushes it to disk and closes it. */
    private static Future<Stored> copy(ReadStream<Buffer> content, io.vertx.core.streams.WriteStream<Buffer> sink, AsyncFile file) {
        DigestingWriteStream digest = new DigestingWriteStream(sink);
        return content.pipe().endOnSuccess(false).endOnFailure(false).to(digest)
                .compose(v -> file.flush())
                .compose(v -> file.close())
                .map(v -> new Stored(digest.size(), digest.sha256Hex()));
    }

    @Override
    public Future<Content> open(String taskId, String name) {
        Path p;
        try {
            p = file(taskId, name);
        } catch (RuntimeException e) {
            return Future.failedFuture(e);
        }
        return vertx.fileSystem().open(p.toString(), new OpenOptions().setRead(true).setWrite(false).setCreate(false))
                .compose(f -> f.size().map(size -> new Content(f, size)))
                .recover(e -> Future.failedFuture(StorageErrors.map(e, taskId, name)));
    }
}

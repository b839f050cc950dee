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
 */
public final class LocalArtifactStore implements ArtifactStore {
    private final Vertx vertx;
    private final Path root;
    private final Path tmp;

    /** @param root usually {@code dataDir.resolve("artifacts")}; created on first use */
    public LocalArtifactStore(Vertx vertx, Path root) {
        this.vertx = vertx;
        this.root = root.toAbsolutePath().normalize();
        this.tmp = this.root.resolve(".tmp");
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
                .compose(v -> fs.open(temp, new OpenOptions().setWrite(true).setCreateNew(true)))
                .compose(file -> copy(content, file)
                        .recover(e -> file.close().transform(x -> Future.failedFuture(e))))
                .compose(stored -> fs.mkdirs(target.getParent().toString())
                        .compose(v -> fs.move(temp, target.toString(), new CopyOptions().setReplaceExisting(true).setAtomicMove(true)))
                        .map(stored))
                .recover(e -> fs.delete(temp).transform(x -> Future.failedFuture(StorageErrors.map(e, taskId, name))));
    }

    /** Pipes content into the file while hashing it, then flushes it to disk and closes it. */
    private static Future<Stored> copy(ReadStream<Buffer> content, AsyncFile file) {
        DigestingWriteStream digest = new DigestingWriteStream(file);
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

package io.drover.controller.artifacts;

import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.streams.ReadStream;

/**
 * Where artifact bytes live: the local data directory now, S3-compatible storage later. The
 * metadata (name, size, sha256, content type) lives in the task document ({@link ArtifactIndex}).
 * Everything is streamed: no implementation may hold a whole file in memory or block the event loop.
 */
public interface ArtifactStore {

    /**
     * Streams {@code content} into the object {@code (taskId, name)}, replacing an existing one
     * only when the whole content has arrived and is durable (readers never see half a file).
     * {@code content} may be paused; the store resumes it.
     *
     * @param name already validated by {@link ArtifactNames#check}
     * @return size and SHA-256 of what was stored; fails with a DroverException
     *         (insufficient_storage when the disk is full) and leaves nothing behind
     */
    Future<Stored> put(String taskId, String name, ReadStream<Buffer> content);

    /**
     * Same, with the size the client announced (Content-Length; -1: unknown), so an upload that
     * cannot fit is refused before its body is read.
     */
    default Future<Stored> put(String taskId, String name, ReadStream<Buffer> content, long declaredSize) {
        return put(taskId, name, content);
    }

    /** Opens an object for reading; fails with not_found when it is missing. */
    Future<Content> open(String taskId, String name);

    /** What {@link #put} stored. */
    record Stored(long size, String sha256) {}

    /** An open object: read it by piping {@code stream}; {@code size} in bytes. */
    record Content(ReadStream<Buffer> stream, long size) {}
}

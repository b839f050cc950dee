package io.drover.controller.artifacts;

import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.streams.WriteStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * Passes buffers to another stream while computing their SHA-256 and size, so an upload is hashed
 * in the same single pass that writes it. {@link #end()} does not end the target: the caller
 * decides how to finish it (flush to disk, then close).
 */
final class DigestingWriteStream implements WriteStream<Buffer> {
    private final WriteStream<Buffer> target;
    private final MessageDigest sha256;
    private long size;

    DigestingWriteStream(WriteStream<Buffer> target) {
        this.target = target;
        try {
            this.sha256 = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every Java runtime", e);
        }
    }

    @Override
    public Future<Void> write(Buffer data) {
        sha256.update(data.getBytes());
        size += data.length();
        return target.write(data);
    }

    @Override
    public Future<Void> end() {
        return Future.succeededFuture();
    }

    long size() {
        return size;
    }

    /** Call once, after the last write. */
    String sha256Hex() {
        return HexFormat.of().formatHex(sha256.digest());
    }

    @Override
    public DigestingWriteStream exceptionHandler(Handler<Throwable> handler) {
        target.exceptionHandler(handler);
        return this;
    }

    @Override
    public DigestingWriteStream setWriteQueueMaxSize(int maxSize) {
        target.setWriteQueueMaxSize(maxSize);
        return this;
    }

    @Override
    public boolean writeQueueFull() {
        return target.writeQueueFull();
    }

    @Override
    public DigestingWriteStream drainHandler(Handler<Void> handler) {
        target.drainHandler(handler);
        return this;
    }
}

package io.drover.controller.artifacts;

import io.vertx.core.Future;
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
final class DigestingWriteStream extends ForwardingWriteStream {
    private final MessageDigest sha256;
    private long size;

    DigestingWriteStream(WriteStream<Buffer> target) {
        super(target);
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
}

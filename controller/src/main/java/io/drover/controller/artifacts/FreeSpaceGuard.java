package io.drover.controller.artifacts;

import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.streams.WriteStream;

/**
 * Passes buffers on while re-reading the free space every {@link #CHECK_EVERY} bytes: an upload
 * without a Content-Length (or a disk filled by someone else meanwhile) stops once it would
 * cross the floor of {@link FreeSpace}. The check runs beside the writes (they keep their order);
 * the first write after a failed check fails, which ends the pipe.
 */
final class FreeSpaceGuard extends ForwardingWriteStream {
    static final long CHECK_EVERY = 4L * 1024 * 1024;

    private final FreeSpace space;
    private final String taskId;
    private final String name;
    private long sinceCheck;
    private Throwable refused;

    FreeSpaceGuard(WriteStream<Buffer> target, FreeSpace space, String taskId, String name) {
        super(target);
        this.space = space;
        this.taskId = taskId;
        this.name = name;
    }

    @Override
    public Future<Void> write(Buffer data) {
        if (refused != null) return Future.failedFuture(refused);
        sinceCheck += data.length();
        if (sinceCheck >= CHECK_EVERY && space.minFreeBytes() > 0) {
            sinceCheck = 0;
            space.check(0, taskId, name).onFailure(e -> refused = e);
        }
        return target.write(data);
    }

    /** Fails when a check failed after the last write: the upload crossed the floor at its very end. */
    @Override
    public Future<Void> end() {
        return refused != null ? Future.failedFuture(refused) : target.end();
    }
}

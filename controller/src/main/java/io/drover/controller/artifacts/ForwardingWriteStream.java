package io.drover.controller.artifacts;

import io.vertx.core.Handler;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.streams.WriteStream;

/**
 * A write stream in front of another: flow control (write queue, drain, errors) is the target's.
 * Subclasses decide what {@code write} and {@code end} do on the way.
 */
abstract class ForwardingWriteStream implements WriteStream<Buffer> {
    protected final WriteStream<Buffer> target;

    ForwardingWriteStream(WriteStream<Buffer> target) {
        this.target = target;
    }

    @Override
    public ForwardingWriteStream exceptionHandler(Handler<Throwable> handler) {
        target.exceptionHandler(handler);
        return this;
    }

    @Override
    public ForwardingWriteStream setWriteQueueMaxSize(int maxSize) {
        target.setWriteQueueMaxSize(maxSize);
        return this;
    }

    @Override
    public boolean writeQueueFull() {
        return target.writeQueueFull();
    }

    @Override
    public ForwardingWriteStream drainHandler(Handler<Void> handler) {
        target.drainHandler(handler);
        return this;
    }
}

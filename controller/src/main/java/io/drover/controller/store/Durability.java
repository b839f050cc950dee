package io.drover.controller.store;

import java.util.concurrent.CompletableFuture;

/**
 * Makes acknowledged writes survive a crash. Every state-changing HTTP handler awaits
 * {@link #sync()} after its writes and before it answers: once the future completes, every write
 * that finished before the call is on disk.
 */
public interface Durability extends AutoCloseable {

    /** Completes when every write finished before this call is durable. Never blocks the caller. */
    CompletableFuture<Void> sync();

    @Override
    default void close() {}

    /** For a real MongoDB: the driver already waits for a journaled majority write concern. */
    static Durability none() {
        return () -> CompletableFuture.completedFuture(null);
    }
}

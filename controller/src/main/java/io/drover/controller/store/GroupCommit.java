package io.drover.controller.store;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Group commit for the embedded store. H2's MVStore writes to disk only about once a second on its
 * own; committing after each write would bloat the file. Instead callers that need durability ask
 * for a sync, and one committer thread runs {@code commit} for all of them: a caller is released by
 * the first commit that <em>starts</em> after its request, since that commit covers every write
 * completed before it. Under load many requests share one commit.
 */
public final class GroupCommit implements Durability {
    private static final Logger log = LoggerFactory.getLogger(GroupCommit.class);

    private final Runnable commit;
    private final Thread committer;
    private final Object lock = new Object();
    private List<CompletableFuture<Void>> pending = new ArrayList<>();
    private boolean closed;

    /** @param commit writes everything in memory to disk (e.g. {@code mvStore::commit}) */
    public GroupCommit(Runnable commit) {
        this.commit = commit;
        this.committer = new Thread(this::run, "drover-group-commit");
        committer.setDaemon(true);
        committer.start();
    }

    @Override
    public CompletableFuture<Void> sync() {
        CompletableFuture<Void> f = new CompletableFuture<>();
        synchronized (lock) {
            if (closed) {
                f.completeExceptionally(new IllegalStateException("the store is closed"));
                return f;
            }
            pending.add(f);
            lock.notifyAll();
        }
        return f;
    }

    private void run() {
        while (true) {
            List<CompletableFuture<Void>> batch;
            synchronized (lock) {
                while (pending.isEmpty() && !closed) {
                    try {
                        lock.wait();
                    } catch (InterruptedException e) {
                        closed = true;
                    }
                }
                if (pending.isEmpty() && closed) return;
                // Everyone waiting now asked before this commit starts: it covers all of them.
                batch = pending;
                pending = new ArrayList<>();
            }
            try {
                commit.run();
                batch.forEach(f -> f.complete(null));
            } catch (RuntimeException e) {
                log.error("store commit failed; {} writes were not confirmed durable", batch.size(), e);
                batch.forEach(f -> f.completeExceptionally(e));
            }
        }
    }

    /** Commits what is pending, then stops the committer. */
    @Override
    public void close() {
        synchronized (lock) {
            closed = true;
            lock.notifyAll();
        }
        try {
            committer.join(10_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}

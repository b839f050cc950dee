package io.drover.controller.store;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class GroupCommitTest {

    @Test
    void aSyncRequestedDuringACommitWaitsForTheNextOne() throws Exception {
        AtomicInteger commits = new AtomicInteger();
        CountDownLatch firstStarted = new CountDownLatch(1);
        CountDownLatch releaseFirst = new CountDownLatch(1);
        try (GroupCommit gc = new GroupCommit(() -> {
            if (commits.incrementAndGet() == 1) {
                firstStarted.countDown();
                await(releaseFirst);
            }
        })) {
            CompletableFuture<Void> a = gc.sync();
            assertThat(firstStarted.await(5, TimeUnit.SECONDS)).isTrue();
            // B's write happened after commit 1 started: commit 1 does not cover it
            CompletableFuture<Void> b = gc.sync();
            Thread.sleep(50);
            assertThat(a).isNotDone();
            assertThat(b).isNotDone();
            releaseFirst.countDown();
            a.get(5, TimeUnit.SECONDS);
            b.get(5, TimeUnit.SECONDS);
            assertThat(commits.get()).isEqualTo(2);
        }
    }

    @Test
    void concurrentCallersShareCommits() throws Exception {
        AtomicInteger commits = new AtomicInteger();
        try (GroupCommit gc = new GroupCommit(() -> {
            commits.incrementAndGet();
            sleep(20);
        })) {
            List<CompletableFuture<Void>> all = new ArrayList<>();
            for (int i = 0; i < 200; i++) all.add(gc.sync());
            CompletableFuture.allOf(all.toArray(CompletableFuture[]::new)).get(10, TimeUnit.SECONDS);
            assertThat(commits.get()).isBetween(1, 20);
        }
    }

    @Test
    void aFailedCommitFailsItsWaiters() {
        try (GroupCommit gc = new GroupCommit(() -> {
            throw new IllegalStateException("disk full");
        })) {
            CompletableFuture<Void> f = gc.sync();
            assertThat(f).failsWithin(5, TimeUnit.SECONDS);
        }
    }

    private static void await(CountDownLatch l) {
        try {
            l.await(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}

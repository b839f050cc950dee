package io.drover.controller.hardening;

import static org.assertj.core.api.Assertions.assertThat;

import io.drover.controller.http.RateLimiter;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class RateLimiterTest {
    final AtomicLong now = new AtomicLong(1_000_000_000L);

    @Test
    void burstThenRefillAtTheRatePerKey() {
        RateLimiter l = new RateLimiter(50, 200, now::get);
        for (int i = 0; i < 200; i++) assertThat(l.acquire("a")).as("request %d", i).isZero();
        long wait = l.acquire("a");
        assertThat(wait).isBetween(19_000_000L, 20_000_001L); // one token every 20 ms
        assertThat(RateLimiter.retryAfterSeconds(wait)).isEqualTo(1);
        assertThat(l.acquire("b")).isZero(); // other keys are not affected
        now.addAndGet(20_000_000L);
        assertThat(l.acquire("a")).isZero();
        assertThat(l.acquire("a")).isPositive();
        now.addAndGet(10_000_000_000L); // a long pause refills at most the burst
        for (int i = 0; i < 200; i++) assertThat(l.acquire("a")).isZero();
        assertThat(l.acquire("a")).isPositive();
    }

    @Test
    void manyMadeUpKeysDoNotGrowWithoutBound() {
        RateLimiter l = new RateLimiter(1, 1, now::get);
        for (int i = 0; i < 250_000; i++) l.acquire("k" + i);
        // all buckets are in use (not refilled), so beyond the cap new keys share one overflow bucket
        assertThat(l.acquire("fresh-key-1")).isPositive();
        now.addAndGet(2_000_000_000L); // all refilled: the next sweep drops them
        assertThat(l.acquire("fresh-key-2")).isZero();
    }
}

package io.drover.agent.daemon;

import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;

/** Exponential backoff with full jitter, so a fleet of agents never hammers a recovering controller in step. */
final class Backoff {
    private final long minMs;
    private final long maxMs;
    private long current;

    Backoff(Duration min, Duration max) {
        this.minMs = min.toMillis();
        this.maxMs = max.toMillis();
    }

    /** The next pause: random in [cap/2, cap], cap doubling from min up to max. */
    Duration next() {
        current = current == 0 ? minMs : Math.min(maxMs, current * 2);
        return Duration.ofMillis(current / 2 + ThreadLocalRandom.current().nextLong(current / 2 + 1));
    }

    void reset() {
        current = 0;
    }
}

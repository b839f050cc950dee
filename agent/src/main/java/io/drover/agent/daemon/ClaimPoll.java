package io.drover.agent.daemon;

/**
 * One claim long-poll in flight, made for {@link #fit}. The daemon abandons it when room frees
 * (a finishing task: the next poll asks with the bigger fit at once) or when the agent stops.
 * Abandoning cuts the exchange in a way that loses no task: see {@link PlainClaimExchange}.
 */
final class ClaimPoll {
    private final ClaimFit fit;
    private boolean abandoned;
    private Runnable cut = () -> { };

    ClaimPoll(ClaimFit fit) {
        this.fit = fit;
    }

    ClaimFit fit() {
        return fit;
    }

    /** Abandons the poll; idempotent, from any thread. */
    void abandon() {
        Runnable c;
        synchronized (this) {
            if (abandoned) return;
            abandoned = true;
            c = cut;
        }
        c.run();
    }

    synchronized boolean abandoned() {
        return abandoned;
    }

    /** How to cut the exchange now in flight; runs it at once when the poll is already abandoned. */
    void onAbandon(Runnable how) {
        synchronized (this) {
            cut = how;
            if (!abandoned) return;
        }
        how.run();
    }
}

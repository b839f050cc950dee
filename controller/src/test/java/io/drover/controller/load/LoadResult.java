package io.drover.controller.load;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The figures of one run.
 *
 * @param waitMillisP50 time in queue (enqueue → claim answer) per priority, highest first; p50
 * @param waitMillisP99 the same, p99
 */
record LoadResult(String label, int controllers, int agents, int tasks, int created, int completed, int claims,
                  int duplicates, int lost, int staleLeases, int retries, int unansweredClaims, int errors, List<String> firstErrors,
                  double seconds, double enqueueSeconds, double claimP50Ms, double claimP99Ms,
                  Map<Integer, Long> waitMillisP50, Map<Integer, Long> waitMillisP99, StoreAudit store, boolean timedOut) {

    static LoadResult of(String label, int controllers, LoadPlan plan, Ledger l, double seconds, double enqueueSeconds,
                         StoreAudit store, boolean timedOut) {
        Map<Integer, Long> p50 = new LinkedHashMap<>();
        Map<Integer, Long> p99 = new LinkedHashMap<>();
        l.queueWaitMillis().forEach((prio, s) -> {
            p50.put(prio, s.percentile(50));
            p99.put(prio, s.percentile(99));
        });
        return new LoadResult(label, controllers, plan.agents(), plan.tasks(), l.createdCount(), l.completedDistinct(),
                l.claimCount(), l.duplicates(), l.lost(), l.staleLeases(), l.retries(), l.unansweredClaims(), l.errorCount(), l.firstErrors(),
                seconds, enqueueSeconds, l.claimLatencyNanos().percentile(50) / 1e6, l.claimLatencyNanos().percentile(99) / 1e6,
                p50, p99, store, timedOut);
    }

    double throughput() {
        return seconds <= 0 ? 0 : completed / seconds;
    }

    /**
     * Exactly once from both sides: the ledger (each task claimed and completed once, by one agent)
     * and the store (every task completed, nothing queued, running or extra). A task on attempt 2 is
     * allowed only for a claim that got no answer (the lease the agent never saw expired and the task
     * ran once, later): at most one per unanswered claim.
     */
    boolean exactlyOnce() {
        return !timedOut && created == tasks && completed == tasks && claims == tasks && duplicates == 0 && lost == 0
                && staleLeases == 0 && store.completedOnly(tasks) && store.notFirstTry() <= unansweredClaims;
    }

    /**
     * Higher priority waited less, loosely: the highest priority's median time in queue is at most
     * the lowest's (with {@code slackMillis} for runs where the queue never built up and all wait alike).
     */
    boolean priorityOrderHeld(long slackMillis) {
        if (waitMillisP50.size() < 2) return true;
        List<Long> p50 = List.copyOf(waitMillisP50.values()); // highest priority first
        return p50.get(0) <= p50.get(p50.size() - 1) + slackMillis;
    }

    /** One line: what ran, whether it was exactly once, and the figures. */
    String summary() {
        StringBuilder w = new StringBuilder();
        waitMillisP50.forEach((prio, v) -> w.append(w.length() == 0 ? "" : " ").append("prio").append(prio).append('=').append(v)
                .append('/').append(waitMillisP99.get(prio)));
        return String.format(Locale.ROOT,
                "%s: controllers=%d agents=%d tasks=%d completed=%d %s duplicates=%d lost=%d throughput=%.0f/s in %.1f s"
                        + " (enqueue %.1f s) claim p50=%.1f ms p99=%.1f ms wait-in-queue p50/p99 ms %s (priority order %s) store=%s attempt>1=%d unanswered-claims=%d retries=%d errors=%d%s",
                label, controllers, agents, tasks, completed, exactlyOnce() ? "EXACTLY-ONCE" : "NOT-EXACTLY-ONCE", duplicates, lost,
                throughput(), seconds, enqueueSeconds, claimP50Ms, claimP99Ms, w, priorityOrderHeld(0) ? "held" : "NOT held", store.byStatus(), store.notFirstTry(), unansweredClaims, retries, errors,
                timedOut ? " TIMED-OUT" : "");
    }
}

package io.drover.controller.audit;

/**
 * Ids of audit entries: 24 hex characters like {@code Ids.newId()} (4 bytes of epoch seconds
 * first), but strictly increasing within the process, so "newest first" and the {@code before}
 * cursor of {@code GET /audit} are exact even for many entries in one second (one instance per
 * controller: it owns the collection).
 */
final class AuditIds {
    private long last;

    /** Epoch seconds (8 hex) + a counter built from epoch milliseconds (16 hex) that never repeats. */
    synchronized String next(long epochMillis) {
        long v = Math.max(last + 1, epochMillis << 20);
        last = v;
        long seconds = (v >>> 20) / 1000;
        return String.format("%08x%016x", seconds & 0xffffffffL, v);
    }
}

package io.drover.controller.logs;

import io.drover.shared.domain.DroverException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * {@code GET /tasks/{id}/logs?search=TEXT}: the lines after {@code after} that contain TEXT,
 * ignoring case. One call reads at most {@link #MAX_SCAN} lines (chunk by chunk, exact-key reads
 * like every log read), so a search over a huge console is paged by {@code next} instead of
 * holding a store thread for long; {@code more} tells the caller whether lines past {@code next}
 * are left to search. Blocks on the store: call it off the event loop.
 */
public final class LogSearch {
    /** Lines one call looks at, at most. */
    public static final int MAX_SCAN = 100_000;
    public static final int MAX_TEXT = 256;

    /** A page of matches; {@code next} is where the scan stopped, {@code more} whether lines remain after it. */
    public record Result(LogPage page, boolean more) {}

    private final LogStore store;

    public LogSearch(LogStore store) {
        this.store = store;
    }

    /** @throws DroverException bad_request for an empty or too long {@code text} */
    public static String check(String text) {
        if (text == null || text.isEmpty() || text.length() > MAX_TEXT) {
            throw DroverException.badRequest("query parameter 'search' must be 1-" + MAX_TEXT + " characters of text to look for in the console");
        }
        return text;
    }

    public Result search(String taskId, String text, long after, int limit) {
        String needle = text.toLowerCase(Locale.ROOT);
        List<LogLine> out = new ArrayList<>();
        long pos = after;
        long scanned = 0;
        String status = null;
        while (out.size() < limit && scanned < MAX_SCAN) {
            int n = (int) Math.min(LogStore.CHUNK_LINES, MAX_SCAN - scanned);
            LogPage p = store.read(taskId, pos, n);
            status = p.status();
            if (p.lines().isEmpty()) {
                pos = p.next();
                break;
            }
            for (LogLine l : p.lines()) {
                pos = l.seq();
                scanned++;
                if (l.text() != null && l.text().toLowerCase(Locale.ROOT).contains(needle)) {
                    out.add(l);
                    if (out.size() >= limit) break;
                }
            }
            if (out.size() < limit) pos = Math.max(pos, p.next()); // lines lost for good are skipped too
        }
        if (status == null) status = store.read(taskId, pos, 1).status();
        boolean more = !store.read(taskId, pos, 1).lines().isEmpty();
        return new Result(new LogPage(out, pos, status), more);
    }
}

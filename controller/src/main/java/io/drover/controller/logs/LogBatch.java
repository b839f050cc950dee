package io.drover.controller.logs;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.drover.controller.http.Http;
import io.drover.shared.domain.DroverException;
import io.drover.shared.domain.ErrorCode;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;

/**
 * One batch of console lines sent by an agent: {@code {"epoch","batch":n,"lines":[{"ts","stream","text"}]}}.
 * Idempotent on (task, epoch, batch). Lines longer than {@link #MAX_LINE_BYTES} are truncated
 * with a marker rather than refused: a runaway print must not make the agent drop the whole batch.
 */
public record LogBatch(long epoch, long batch, List<Line> lines) {

    /** Request body limit for one batch. */
    public static final long MAX_BODY_BYTES = 2L << 20;
    /** Most lines in one batch. */
    public static final int MAX_LINES = 5_000;
    /** Longest stored line (UTF-8 bytes); longer text is cut and {@link #TRUNCATED} appended. */
    public static final int MAX_LINE_BYTES = 16 * 1024;
    public static final String TRUNCATED = " …[line truncated by drover: longer than 16 KiB]";

    /** One incoming line, before it has a sequence number. */
    public record Line(String ts, String stream, String text) {}

    /**
     * Validates a parsed request body.
     *
     * @param now timestamp for lines that carry none
     * @throws DroverException bad_request naming the field, payload_too_large for too many lines
     */
    public static LogBatch parse(ObjectNode body, Instant now) {
        Http.requireOnly(body, "epoch", "batch", "lines");
        long epoch = requireLong(body, "epoch", "the lease epoch returned by the claim");
        long batch = requireLong(body, "batch", "a per-epoch batch number that the agent increments (retries reuse it)");
        JsonNode arr = body.get("lines");
        if (arr == null || !arr.isArray()) {
            throw DroverException.badRequest("field 'lines' is required: an array of {\"ts\",\"stream\",\"text\"}");
        }
        if (arr.size() > MAX_LINES) {
            throw new DroverException(ErrorCode.PAYLOAD_TOO_LARGE, "log batch has " + arr.size() + " lines; at most "
                    + MAX_LINES + " lines per batch are accepted: split it into several batches");
        }
        List<Line> lines = new ArrayList<>(arr.size());
        String nowText = now.toString();
        for (int i = 0; i < arr.size(); i++) {
            JsonNode l = arr.get(i);
            if (!l.isObject()) throw DroverException.badRequest("lines[" + i + "] must be an object {\"ts\",\"stream\",\"text\"}");
            try {
                Http.requireOnly(l, "ts", "stream", "text");
            } catch (DroverException e) {
                throw DroverException.badRequest("lines[" + i + "]: " + e.getMessage());
            }
            lines.add(new Line(timestamp(l.get("ts"), i, nowText), stream(l.get("stream"), i), text(l.get("text"), i)));
        }
        return new LogBatch(epoch, batch, List.copyOf(lines));
    }

    private static long requireLong(JsonNode body, String field, String what) {
        JsonNode n = body.get(field);
        if (n == null || !n.canConvertToLong() || !n.isIntegralNumber() || n.asLong() < 0) {
            throw DroverException.badRequest("field '" + field + "' is required: a non-negative whole number, " + what);
        }
        return n.asLong();
    }

    private static String timestamp(JsonNode n, int i, String now) {
        if (n == null || n.isNull()) return now;
        if (!n.isTextual()) throw DroverException.badRequest("lines[" + i + "].ts must be an ISO-8601 string such as 2026-01-31T12:00:00.123Z");
        try {
            return Instant.parse(n.asText()).toString();
        } catch (DateTimeParseException e) {
            throw DroverException.badRequest("lines[" + i + "].ts '" + n.asText()
                    + "' is not an ISO-8601 instant such as 2026-01-31T12:00:00.123Z");
        }
    }

    private static String stream(JsonNode n, int i) {
        if (n == null || n.isNull()) return "stdout";
        String s = n.asText();
        if (!n.isTextual() || !(s.equals("stdout") || s.equals("stderr"))) {
            throw DroverException.badRequest("lines[" + i + "].stream must be \"stdout\" or \"stderr\", got " + n);
        }
        return s;
    }

    private static String text(JsonNode n, int i) {
        if (n == null || !n.isTextual()) throw DroverException.badRequest("lines[" + i + "].text is required: a string");
        return truncate(n.asText());
    }

    /** Cuts {@code s} to at most {@link #MAX_LINE_BYTES} UTF-8 bytes (on a character boundary) plus the marker. */
    static String truncate(String s) {
        // cheap exit: a UTF-8 char is at most 3 bytes per UTF-16 unit
        if (s.length() * 3 <= MAX_LINE_BYTES) return s;
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        if (b.length <= MAX_LINE_BYTES) return s;
        int budget = MAX_LINE_BYTES - TRUNCATED.getBytes(StandardCharsets.UTF_8).length;
        int bytes = 0;
        int end = 0;
        while (end < s.length()) {
            int cp = s.codePointAt(end);
            int len = cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;
            if (bytes + len > budget) break;
            bytes += len;
            end += Character.charCount(cp);
        }
        return s.substring(0, end) + TRUNCATED;
    }
}

package io.drover.agent.cli.format;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;

/** Timestamps from the API (ISO-8601) shown in the user's time zone, and durations between them. */
public final class Times {
    private static final DateTimeFormatter LOCAL = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss")
            .withZone(ZoneId.systemDefault());

    private Times() {}

    public static Instant parse(JsonNode n) {
        if (n == null || !n.isTextual() || n.asText().isBlank()) return null;
        try {
            return Instant.parse(n.asText());
        } catch (DateTimeParseException e) {
            try {
                return java.time.OffsetDateTime.parse(n.asText()).toInstant();
            } catch (DateTimeParseException e2) {
                return null;
            }
        }
    }

    /** Local {@code yyyy-MM-dd HH:mm:ss}, or "" when absent; unparsable text is shown as it is. */
    public static String local(JsonNode n) {
        Instant t = parse(n);
        if (t != null) return LOCAL.format(t);
        return n == null || n.isNull() || n.isMissingNode() ? "" : n.asText();
    }

    /** "1.2 s", "3 min 4 s", "2 h 5 min". */
    public static String duration(Instant from, Instant to) {
        if (from == null || to == null) return "";
        Duration d = Duration.between(from, to);
        long ms = Math.max(0, d.toMillis());
        if (ms < 60_000) return String.format(java.util.Locale.ROOT, "%.1f s", ms / 1000.0);
        long s = ms / 1000;
        if (s < 3600) return (s / 60) + " min " + (s % 60) + " s";
        return (s / 3600) + " h " + (s % 3600 / 60) + " min";
    }
}

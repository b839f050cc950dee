package io.drover.controller.scalars;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.drover.controller.http.Http;
import io.drover.shared.domain.DroverException;
import io.drover.shared.domain.ErrorCode;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;

/**
 * One {@code POST /tasks/{id}/scalars} body, validated. Limits (docs/API.md, "Scalars"): at most
 * {@link #MAX_POINTS} points (413 above), metric and variant 1-{@link #MAX_NAME} characters
 * (variant may be empty), {@code iter} a whole number &ge; 0, {@code value} a finite number:
 * NaN and infinities are refused with 400 (JSON has no literal for them, and a stored NaN would
 * poison min/max/avg), so a client drops or clips them before sending.
 *
 * @param epoch the lease epoch (agent route), null on the user route
 * @param batch the batch number for idempotency (agent route), null when not sent
 */
public record ScalarBatch(Long epoch, Long batch, List<Point> points) {
    public static final int MAX_POINTS = 10_000;
    public static final int MAX_NAME = 128;
    /** 10,000 points of about 150 bytes each, with room to spare. */
    public static final long MAX_BODY_BYTES = 4L << 20;

    /** One point; {@code ts} is epoch milliseconds. */
    public record Point(String metric, String variant, long iter, double value, long ts) {}

    public static ScalarBatch parse(ObjectNode body, Instant now) {
        Http.requireOnly(body, "epoch", "batch", "points");
        Long epoch = optionalWhole(body, "epoch");
        Long batch = optionalWhole(body, "batch");
        JsonNode arr = body.get("points");
        if (arr == null || !arr.isArray()) {
            throw DroverException.badRequest("field 'points' is required: an array of {\"metric\",\"variant\",\"iter\",\"value\",\"ts\"}");
        }
        if (arr.size() > MAX_POINTS) {
            throw new DroverException(ErrorCode.PAYLOAD_TOO_LARGE, "scalar batch has " + arr.size() + " points; at most "
                    + MAX_POINTS + " per batch: split it into several batches");
        }
        List<Point> points = new ArrayList<>(arr.size());
        for (int i = 0; i < arr.size(); i++) {
            JsonNode p = arr.get(i);
            String where = "points[" + i + "]";
            if (!p.isObject()) throw DroverException.badRequest(where + " must be an object {\"metric\",\"variant\",\"iter\",\"value\"}");
            Http.requireOnlyIn(where, p, "metric", "variant", "iter", "value", "ts");
            String metric = name(p, "metric", where, true);
            String variant = name(p, "variant", where, false);
            JsonNode it = p.get("iter");
            if (it == null || !it.isIntegralNumber() || !it.canConvertToLong() || it.asLong() < 0) {
                throw DroverException.badRequest(where + ".iter must be a whole number >= 0, got " + it);
            }
            JsonNode v = p.get("value");
            if (v == null || !v.isNumber() || !Double.isFinite(v.asDouble())) {
                throw DroverException.badRequest(where + ".value must be a finite number, got " + v
                        + " (NaN and infinities are refused: drop or clip them before sending)");
            }
            points.add(new Point(metric, variant, it.asLong(), v.asDouble(), ts(p.get("ts"), where, now)));
        }
        return new ScalarBatch(epoch, batch, points);
    }

    private static String name(JsonNode p, String field, String where, boolean required) {
        JsonNode n = p.get(field);
        if (n == null || n.isNull()) {
            if (required) throw DroverException.badRequest(where + "." + field + " is required: a string of 1-" + MAX_NAME + " characters");
            return "";
        }
        if (!n.isTextual()) throw DroverException.badRequest(where + "." + field + " must be a string");
        String s = n.asText();
        if ((required && s.isEmpty()) || s.length() > MAX_NAME) {
            throw DroverException.badRequest(where + "." + field + " must be " + (required ? "1" : "0") + "-" + MAX_NAME
                    + " characters, got " + s.length());
        }
        for (int i = 0; i < s.length(); i++) {
            if (Character.isISOControl(s.charAt(i))) throw DroverException.badRequest(where + "." + field + " must not contain control characters");
        }
        return s;
    }

    private static long ts(JsonNode t, String where, Instant now) {
        if (t == null || t.isNull()) return now.toEpochMilli();
        if (t.isIntegralNumber() && t.asLong() >= 0) return t.asLong();
        if (t.isTextual()) {
            try {
                return Instant.parse(t.asText()).toEpochMilli();
            } catch (DateTimeParseException e) {
                // fall through to the message below
            }
        }
        throw DroverException.badRequest(where + ".ts must be epoch milliseconds or an ISO-8601 instant like 2026-11-26T07:00:00Z, got " + t);
    }

    private static Long optionalWhole(ObjectNode body, String field) {
        JsonNode n = body.get(field);
        if (n == null || n.isNull()) return null;
        if (!n.isIntegralNumber() || n.asLong() < 0) throw DroverException.badRequest("field '" + field + "' must be a whole number >= 0");
        return n.asLong();
    }
}

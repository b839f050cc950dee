package io.drover.controller.tasks;

import com.fasterxml.jackson.databind.JsonNode;
import io.drover.shared.domain.DroverException;
import io.drover.shared.domain.ErrorCode;
import io.drover.shared.domain.Ids;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Typed reads of request fields, each refusing a wrong value with a message that names the field. */
public final class Fields {
    public static final int MAX_PARAM_KEY = 256;
    public static final int MAX_PARAM_VALUE = 64 * 1024;
    public static final int MAX_PARAMS = 10_000;
    public static final int MAX_TAGS = 64;
    public static final int MIN_PRIORITY = -100;
    public static final int MAX_PRIORITY = 100;

    private Fields() {}

    public static boolean present(JsonNode o, String f) {
        return o.has(f) && !o.get(f).isNull();
    }

    /** A string field, or {@code def} when absent/null; refuses other types and over-long values. */
    public static String string(JsonNode o, String f, String def, int maxChars) {
        if (!present(o, f)) return def;
        JsonNode v = o.get(f);
        if (!v.isTextual()) throw bad("'" + f + "' must be a string");
        String s = v.asText();
        if (s.length() > maxChars) throw bad("'" + f + "' is " + s.length() + " characters long; at most " + maxChars + " are allowed");
        return s;
    }

    public static String requiredString(JsonNode o, String f, int maxChars) {
        String s = string(o, f, null, maxChars);
        if (s == null || s.isBlank()) throw bad("'" + f + "' is required");
        return s;
    }

    public static String name(JsonNode o, String f, String def) {
        String s = string(o, f, def, 64);
        if (s == null) return null;
        if (!Ids.isName(s)) {
            throw bad("'" + f + "' value '" + s + "' is not a valid name: use 1-64 letters, digits, '.', '_' or '-', starting with a letter or digit");
        }
        return s;
    }

    public static int integer(JsonNode o, String f, int def, int min, int max) {
        if (!present(o, f)) return def;
        JsonNode v = o.get(f);
        if (!v.isIntegralNumber() || !v.canConvertToInt()) throw bad("'" + f + "' must be a whole number between " + min + " and " + max);
        int i = v.intValue();
        if (i < min || i > max) throw bad("'" + f + "' must be between " + min + " and " + max + ", got " + i);
        return i;
    }

    public static Long optionalLong(JsonNode o, String f, long min) {
        if (!present(o, f)) return null;
        JsonNode v = o.get(f);
        if (!v.isIntegralNumber() || !v.canConvertToLong() || v.longValue() < min) {
            throw bad("'" + f + "' must be a whole number ≥ " + min);
        }
        return v.longValue();
    }

    public static Double optionalDouble(JsonNode o, String f) {
        if (!present(o, f)) return null;
        JsonNode v = o.get(f);
        if (!v.isNumber() || v.doubleValue() < 0 || Double.isNaN(v.doubleValue())) throw bad("'" + f + "' must be a number ≥ 0");
        return v.doubleValue();
    }

    public static boolean bool(JsonNode o, String f, boolean def) {
        if (!present(o, f)) return def;
        JsonNode v = o.get(f);
        if (!v.isBoolean()) throw bad("'" + f + "' must be true or false");
        return v.booleanValue();
    }

    public static long requiredEpoch(JsonNode o) {
        if (!present(o, "epoch")) throw bad("'epoch' is required: send the lease epoch from the claim");
        Long e = optionalLong(o, "epoch", 0);
        return e;
    }

    /** {@code params}: an object of strings (numbers and booleans are taken as their text). */
    public static Map<String, String> params(JsonNode o, String f) {
        Map<String, String> m = new LinkedHashMap<>();
        if (!present(o, f)) return m;
        JsonNode p = o.get(f);
        if (!p.isObject()) throw bad("'" + f + "' must be an object of strings, e.g. {\"lr\": \"0.5\"}");
        if (p.size() > MAX_PARAMS) throw bad("'" + f + "' has " + p.size() + " entries; at most " + MAX_PARAMS + " are allowed");
        p.fields().forEachRemaining(e -> {
            String k = e.getKey();
            if (k.isEmpty() || k.length() > MAX_PARAM_KEY) {
                throw bad("parameter name '" + abbreviate(k) + "' must be 1-" + MAX_PARAM_KEY + " characters long");
            }
            JsonNode v = e.getValue();
            if (!v.isValueNode() || v.isNull()) throw bad("parameter '" + k + "' must be a string, got " + v.getNodeType().name().toLowerCase());
            String s = v.asText();
            if (s.getBytes(StandardCharsets.UTF_8).length > MAX_PARAM_VALUE) {
                throw bad("parameter '" + k + "' is larger than " + MAX_PARAM_VALUE / 1024 + " KiB; pass big inputs as files in the repository");
            }
            m.put(k, s);
        });
        return m;
    }

    public static List<String> tags(JsonNode o, String f) {
        return tags(o, f, MAX_TAGS);
    }

    /** Same with another limit on the count (annotations allow more tags than a new task). */
    public static List<String> tags(JsonNode o, String f, int maxTags) {
        List<String> out = new ArrayList<>();
        if (!present(o, f)) return out;
        JsonNode t = o.get(f);
        if (!t.isArray()) throw bad("'" + f + "' must be an array of names");
        if (t.size() > maxTags) throw bad("'" + f + "' has " + t.size() + " entries; at most " + maxTags + " are allowed");
        for (JsonNode n : t) {
            if (!n.isTextual() || !Ids.isName(n.asText())) {
                throw bad("tag " + n + " is not valid: use 1-64 letters, digits, '.', '_' or '-', starting with a letter or digit");
            }
            if (!out.contains(n.asText())) out.add(n.asText());
        }
        return out;
    }

    public static List<String> names(JsonNode o, String f, int max) {
        List<String> out = new ArrayList<>();
        if (!present(o, f)) return out;
        JsonNode t = o.get(f);
        if (!t.isArray()) throw bad("'" + f + "' must be an array of names");
        if (t.size() > max) throw bad("'" + f + "' has " + t.size() + " entries; at most " + max + " are allowed");
        for (JsonNode n : t) {
            if (!n.isTextual() || !Ids.isName(n.asText())) {
                throw bad("'" + f + "' entry " + n + " is not a valid name: use 1-64 letters, digits, '.', '_' or '-'");
            }
            if (!out.contains(n.asText())) out.add(n.asText());
        }
        return out;
    }

    /** A relative path inside the repository: no absolute paths, backslashes or '..'. */
    public static String relativePath(JsonNode o, String f, String def) {
        String s = string(o, f, def, 1024);
        if (s == null) return null;
        if (s.isBlank() || s.startsWith("/") || s.contains("\\") || s.contains("\0") || List.of(s.split("/")).contains("..")) {
            throw bad("'" + f + "' must be a relative path inside the repository (no leading '/', no '..', no backslashes), got '" + s + "'");
        }
        return s;
    }

    public static DroverException bad(String message) {
        return DroverException.badRequest(message);
    }

    public static DroverException tooLarge(String message) {
        return new DroverException(ErrorCode.PAYLOAD_TOO_LARGE, message);
    }

    private static String abbreviate(String s) {
        return s.length() > 40 ? s.substring(0, 40) + "…" : s;
    }
}

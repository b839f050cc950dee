package io.drover.agent.capture;

import java.util.HashMap;
import java.util.Map;

/**
 * A {@code ::drover} line printed by a task (for code that is not Python):
 * <pre>
 * ::drover metric name=loss series=train iter=10 value=0.31
 * ::drover param name=lr value=0.5
 * ::drover tag value=baseline
 * </pre>
 * Fields are {@code key=value} separated by spaces; a value with spaces goes in double quotes
 * ({@code value="two words"}). {@code variant} is accepted for {@code series}. A line that does
 * not parse is not a directive and stays a plain log line (the agent ships every line as a log
 * line either way), so a typo never fails a run.
 */
public sealed interface DroverDirective {
    String PREFIX = "::drover ";
    int MAX_NAME = 128;

    record Metric(String name, String series, long iter, double value) implements DroverDirective {}

    record Param(String name, String value) implements DroverDirective {}

    record Tag(String value) implements DroverDirective {}

    /** The directive on {@code line}, or null when it is not a well-formed one. */
    static DroverDirective parse(String line) {
        if (line == null || !line.startsWith(PREFIX)) return null;
        String rest = line.substring(PREFIX.length()).strip();
        int sp = rest.indexOf(' ');
        String kind = sp < 0 ? rest : rest.substring(0, sp);
        Map<String, String> f = fields(sp < 0 ? "" : rest.substring(sp + 1));
        if (f == null) return null;
        try {
            switch (kind) {
                case "metric" -> {
                    if (!only(f, "name", "series", "variant", "iter", "value")) return null;
                    String name = name(f.get("name"), false);
                    String series = name(f.containsKey("series") ? f.get("series") : f.getOrDefault("variant", ""), true);
                    long iter = Long.parseLong(f.get("iter"));
                    double value = Double.parseDouble(f.get("value"));
                    if (name == null || series == null || iter < 0 || !Double.isFinite(value)) return null;
                    return new Metric(name, series, iter, value);
                }
                case "param" -> {
                    if (!only(f, "name", "value")) return null;
                    String name = name(f.get("name"), false);
                    String value = f.get("value");
                    return name == null || value == null ? null : new Param(name, value);
                }
                case "tag" -> {
                    if (!only(f, "value")) return null;
                    String value = name(f.get("value"), false);
                    return value == null ? null : new Tag(value);
                }
                default -> {
                    return null;
                }
            }
        } catch (NumberFormatException | NullPointerException e) {
            return null;
        }
    }

    private static boolean only(Map<String, String> f, String... allowed) {
        return java.util.Set.of(allowed).containsAll(f.keySet());
    }

    private static String name(String s, boolean mayBeEmpty) {
        if (s == null || s.length() > MAX_NAME || (!mayBeEmpty && s.isEmpty())) return null;
        return s;
    }

    /** {@code k=v k2="v 2"} → map; null when malformed (no '=', unclosed quote, repeated key). */
    private static Map<String, String> fields(String s) {
        Map<String, String> out = new HashMap<>();
        int i = 0;
        while (i < s.length()) {
            if (s.charAt(i) == ' ') {
                i++;
                continue;
            }
            int eq = s.indexOf('=', i);
            if (eq <= i) return null;
            String key = s.substring(i, eq);
            if (key.contains(" ")) return null;
            String value;
            if (eq + 1 < s.length() && s.charAt(eq + 1) == '"') {
                int close = s.indexOf('"', eq + 2);
                if (close < 0) return null;
                value = s.substring(eq + 2, close);
                i = close + 1;
            } else {
                int end = s.indexOf(' ', eq);
                if (end < 0) end = s.length();
                value = s.substring(eq + 1, end);
                i = end;
            }
            if (out.put(key, value) != null) return null;
        }
        return out;
    }
}

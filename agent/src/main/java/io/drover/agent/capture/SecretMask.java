package io.drover.agent.capture;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Replaces every occurrence of a task's secret values in a line of text with {@code ***}. Built
 * once per task: one compiled alternation of the quoted values, longest first (so a value that
 * contains another is masked whole), and a line with none of them costs one scan. Values shorter
 * than {@link #MIN_LENGTH} are not masked: masking "1" or "abc" would shred ordinary output while
 * hiding nothing worth hiding. A multi-line value (a PEM key) is masked line by line, as output
 * is captured line by line.
 */
public final class SecretMask {
    public static final int MIN_LENGTH = 4;
    public static final String MASK = "***";
    public static final SecretMask NONE = new SecretMask(null);

    private final Pattern pattern;

    private SecretMask(Pattern pattern) {
        this.pattern = pattern;
    }

    /** A mask for the values of {@code secrets} (name → value). */
    public static SecretMask of(Map<String, String> secrets) {
        Set<String> values = new LinkedHashSet<>();
        for (String v : secrets.values()) {
            if (v == null) continue;
            if (v.length() >= MIN_LENGTH) values.add(v);
            for (String line : v.split("\\R")) {
                String t = line.strip();
                if (t.length() >= MIN_LENGTH) values.add(t);
            }
        }
        if (values.isEmpty()) return NONE;
        List<String> sorted = new ArrayList<>(values);
        sorted.sort(Comparator.comparingInt(String::length).reversed());
        StringBuilder re = new StringBuilder();
        for (String v : sorted) {
            if (re.length() > 0) re.append('|');
            re.append(Pattern.quote(v));
        }
        return new SecretMask(Pattern.compile(re.toString()));
    }

    public boolean isEmpty() {
        return pattern == null;
    }

    /** {@code text} with every secret value replaced by {@code ***}; the same string when there is none. */
    public String apply(String text) {
        if (pattern == null || text == null || text.isEmpty()) return text;
        Matcher m = pattern.matcher(text);
        return m.find() ? m.replaceAll(MASK) : text;
    }

    public LogLine apply(LogLine line) {
        String t = apply(line.text());
        return t == line.text() ? line : new LogLine(line.ts(), line.stream(), t);
    }
}

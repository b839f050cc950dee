package io.drover.agent.docker;

import java.util.Locale;

/** Docker-style sizes: {@code 512m}, {@code 1g}, {@code 1.5g}, {@code 1048576} (bytes; k/m/g/t are powers of 1024). */
public final class Sizes {
    private Sizes() {}

    public static long parse(String s, String what) {
        String t = s == null ? "" : s.strip().toLowerCase(Locale.ROOT);
        if (t.endsWith("b")) t = t.substring(0, t.length() - 1);
        long unit = 1;
        if (!t.isEmpty()) {
            int u = "kmgt".indexOf(t.charAt(t.length() - 1));
            if (u >= 0) {
                unit = 1L << (10 * (u + 1));
                t = t.substring(0, t.length() - 1);
            }
        }
        try {
            double v = Double.parseDouble(t);
            if (v <= 0 || Double.isNaN(v) || Double.isInfinite(v)) throw new NumberFormatException();
            return (long) (v * unit);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(what + " '" + s + "' is not a size: use e.g. 512m, 2g or a number of bytes");
        }
    }
}

package io.drover.controller.scalars;

/**
 * Names of a series in the store. Metric and variant are escaped ({@code % . $ :}) so that they
 * can be joined by {@code :} into exact {@code _id}s and used as field names of the task
 * document without clashing ({@code "a:b"+"c"} and {@code "a"+"b:c"} stay different).
 */
record SeriesKey(String taskId, String metric, String variant) {
    /** {@code <task>:<metric>:<variant>}: the series document. */
    String seriesId() {
        return taskId + ":" + field();
    }

    /** {@code <task>:<metric>:<variant>:<bucket, 10 digits>}: one bucket document. */
    String bucketId(long bucket) {
        return seriesId() + ":" + String.format("%010d", bucket);
    }

    /** The field name under the task's {@code metrics} (no dots, no leading $). */
    String field() {
        return escape(metric) + ":" + escape(variant);
    }

    /** How tables show it: {@code loss/train}, or just the metric without a variant. */
    String display() {
        return variant.isEmpty() ? metric : metric + "/" + variant;
    }

    static String escape(String s) {
        StringBuilder b = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '%' -> b.append("%25");
                case '.' -> b.append("%2E");
                case '$' -> b.append("%24");
                case ':' -> b.append("%3A");
                default -> b.append(c);
            }
        }
        return b.toString();
    }
}

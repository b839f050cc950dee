package io.drover.controller.tasks;

import io.drover.queue.TaskFields;
import java.util.Date;
import java.util.List;
import org.bson.Document;

/**
 * One task as the listing index keeps it: only what the experiments table filters and sorts by.
 * Compact on purpose (100,000 of them live in memory): repeated strings are interned, params and
 * metrics are parallel arrays, a lower-case name is kept only when it differs from the name.
 *
 * @param params      alternating key, value (values cut to {@link #MAX_VALUE} characters: enough to sort)
 * @param metricNames series names ({@code metric/variant}), parallel to {@code metricLast}
 */
public record TaskIndexRow(String id, String name, String nameLower, String project, String queue, String status,
                           String user, String[] tags, int priority, long createdAt, long updatedAt, boolean archived,
                           String[] params, String[] metricNames, double[] metricLast) {
    /** More params or metrics than this per task are not indexed (sorting by them treats them as missing). */
    public static final int MAX_FIELDS = 256;
    public static final int MAX_VALUE = 256;
    static final long NO_TIME = Long.MIN_VALUE;

    /** The task document fields a row is built from (the projection of the start scan and of re-reads). */
    public static final List<String> FIELDS = List.of(TaskFields.ID, TaskDoc.NAME, TaskDoc.PROJECT, TaskFields.QUEUE,
            TaskFields.STATUS, TaskDoc.USER, TaskDoc.TAGS, TaskFields.PRIORITY, TaskDoc.CREATED_AT, TaskFields.UPDATED_AT,
            TaskDoc.ARCHIVED, TaskDoc.PARAMS, "metrics");

    static TaskIndexRow of(Document d, Interner in) {
        String name = d.getString(TaskDoc.NAME) == null ? "" : d.getString(TaskDoc.NAME);
        String lower = name.toLowerCase(java.util.Locale.ROOT);
        String[] tags = d.get(TaskDoc.TAGS) instanceof List<?> l ? strings(l, in) : new String[0];
        String[] params = params(d.get(TaskDoc.PARAMS), in);
        String[] mNames;
        double[] mLast;
        if (d.get("metrics") instanceof Document m) {
            int n = Math.min(m.size(), MAX_FIELDS);
            mNames = new String[n];
            mLast = new double[n];
            int i = 0;
            for (Object o : m.values()) {
                if (i == n) break;
                if (!(o instanceof Document s)) continue;
                String metric = s.getString("m");
                String variant = s.getString("v");
                if (metric == null) continue;
                mNames[i] = in.intern(variant == null || variant.isEmpty() ? metric : metric + "/" + variant);
                mLast[i] = s.get("last") instanceof Number x ? x.doubleValue() : Double.NaN;
                i++;
            }
            if (i < n) {
                mNames = java.util.Arrays.copyOf(mNames, i);
                mLast = java.util.Arrays.copyOf(mLast, i);
            }
        } else {
            mNames = new String[0];
            mLast = new double[0];
        }
        return new TaskIndexRow(d.getString(TaskFields.ID), name, lower.equals(name) ? name : lower,
                in.intern(d.getString(TaskDoc.PROJECT)), in.intern(d.getString(TaskFields.QUEUE)),
                in.intern(d.getString(TaskFields.STATUS)), in.intern(d.getString(TaskDoc.USER)), tags,
                d.get(TaskFields.PRIORITY) instanceof Number p ? p.intValue() : 0,
                time(d.get(TaskDoc.CREATED_AT)), time(d.get(TaskFields.UPDATED_AT)),
                Boolean.TRUE.equals(d.get(TaskDoc.ARCHIVED)), params, mNames, mLast);
    }

    /** The param's value, or null. */
    public String param(String key) {
        for (int i = 0; i < params.length; i += 2) if (params[i].equals(key)) return params[i + 1];
        return null;
    }

    /** The series' last value, or NaN when the task has no such series. */
    public double metric(String series) {
        for (int i = 0; i < metricNames.length; i++) if (metricNames[i].equals(series)) return metricLast[i];
        return Double.NaN;
    }

    public boolean hasTag(String tag) {
        for (String t : tags) if (t.equals(tag)) return true;
        return false;
    }

    private static String[] strings(List<?> l, Interner in) {
        String[] out = new String[Math.min(l.size(), MAX_FIELDS)];
        for (int i = 0; i < out.length; i++) out[i] = in.intern(String.valueOf(l.get(i)));
        return out;
    }

    private static String[] params(Object o, Interner in) {
        if (!(o instanceof List<?> l)) return new String[0];
        int n = Math.min(l.size(), MAX_FIELDS);
        String[] out = new String[2 * n];
        int j = 0;
        for (int i = 0; i < n; i++) {
            if (!(l.get(i) instanceof Document p) || p.getString(TaskDoc.K) == null) continue;
            String v = p.getString(TaskDoc.V) == null ? "" : p.getString(TaskDoc.V);
            out[j++] = in.intern(p.getString(TaskDoc.K));
            out[j++] = v.length() > MAX_VALUE ? v.substring(0, MAX_VALUE) : in.intern(v);
        }
        return j == out.length ? out : java.util.Arrays.copyOf(out, j);
    }

    private static long time(Object o) {
        return o instanceof Date d ? d.getTime() : NO_TIME;
    }

    /**
     * Shares equal strings between rows (project, queue, status, user, tag, param and series names,
     * short param values). Bounded: past {@code max} distinct strings it stops remembering new ones.
     */
    static final class Interner {
        private final java.util.concurrent.ConcurrentHashMap<String, String> seen = new java.util.concurrent.ConcurrentHashMap<>();
        private final int max;

        Interner(int max) {
            this.max = max;
        }

        String intern(String s) {
            if (s == null) return null;
            if (s.length() > 64) return s;
            String k = seen.get(s);
            if (k != null) return k;
            if (seen.size() >= max) return s;
            k = seen.putIfAbsent(s, s);
            return k == null ? s : k;
        }
    }
}

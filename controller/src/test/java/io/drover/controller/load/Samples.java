package io.drover.controller.load;

import java.util.Arrays;

/** A growable list of long samples (nanoseconds or milliseconds) with percentiles; thread-safe. */
final class Samples {
    private long[] values = new long[1024];
    private int size;

    synchronized void add(long v) {
        if (size == values.length) values = Arrays.copyOf(values, size * 2);
        values[size++] = v;
    }

    synchronized int size() {
        return size;
    }

    /** The {@code p}-th percentile (0..100, nearest rank), or -1 without samples. */
    synchronized long percentile(double p) {
        if (size == 0) return -1;
        long[] sorted = Arrays.copyOf(values, size);
        Arrays.sort(sorted);
        int rank = (int) Math.ceil(p / 100.0 * size);
        return sorted[Math.max(0, Math.min(size - 1, rank - 1))];
    }
}

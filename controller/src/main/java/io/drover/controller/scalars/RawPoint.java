package io.drover.controller.scalars;

/** One stored point; {@code ts} in epoch milliseconds. */
public record RawPoint(long iter, double value, long ts) {}

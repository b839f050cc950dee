package io.drover.controller.logs;

/** A stored console line: {@code seq} numbers the lines of a task 1, 2, … in arrival order. */
public record LogLine(long seq, String ts, String stream, String text) {}

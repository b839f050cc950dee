package io.drover.controller.logs;

import java.util.List;

/**
 * The answer to {@code GET /tasks/{id}/logs}: {@code next} is the {@code after} to ask with next
 * time (the last seq returned, or the request's {@code after} when nothing new was there).
 */
public record LogPage(List<LogLine> lines, long next, String status) {}

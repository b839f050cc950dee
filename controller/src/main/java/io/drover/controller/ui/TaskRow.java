package io.drover.controller.ui;

import java.time.Duration;
import java.time.Instant;

/** What the task list shows of one task. */
public record TaskRow(String id, String name, String project, String status, String queue, String worker,
                      Instant createdAt, Instant startedAt, Instant finishedAt) {

    /** Run time: start → finish, or start → now while it runs; null before it started. */
    public Duration duration(Instant now) {
        if (startedAt == null) return null;
        Instant end = finishedAt != null ? finishedAt : now;
        return end.isBefore(startedAt) ? Duration.ZERO : Duration.between(startedAt, end);
    }
}

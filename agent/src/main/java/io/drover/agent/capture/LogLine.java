package io.drover.agent.capture;

import java.time.Instant;

/** One console line of a task, stamped when the agent read it. {@code stream} is stdout or stderr. */
public record LogLine(Instant ts, String stream, String text) {
    public static LogLine stdout(String text) {
        return new LogLine(Instant.now(), "stdout", text);
    }

    public static LogLine stderr(String text) {
        return new LogLine(Instant.now(), "stderr", text);
    }
}

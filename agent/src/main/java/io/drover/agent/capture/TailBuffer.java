package io.drover.agent.capture;

import java.util.ArrayDeque;
import java.util.List;

/** The last N lines of a stream (the stderr tail quoted in a failed task's reason). */
public final class TailBuffer {
    private final int size;
    private final ArrayDeque<String> lines = new ArrayDeque<>();

    public TailBuffer(int size) {
        this.size = size;
    }

    public synchronized void add(String line) {
        if (lines.size() == size) lines.removeFirst();
        lines.addLast(line);
    }

    public synchronized List<String> lines() {
        return List.copyOf(lines);
    }
}

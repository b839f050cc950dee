package io.drover.agent.testutil;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

/** Process checks for tests: a zombie (state Z, waiting for a reaper) counts as gone. */
public final class Procs {
    private Procs() {}

    public static boolean alive(long pid) {
        Path stat = Path.of("/proc", Long.toString(pid), "stat");
        try {
            String s = Files.readString(stat);
            String afterName = s.substring(s.lastIndexOf(')') + 2);
            return afterName.charAt(0) != 'Z' && afterName.charAt(0) != 'X';
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }

    /** Waits until {@code pid} is gone; true if it went within {@code timeout}. */
    public static boolean awaitGone(long pid, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (!alive(pid)) return true;
            Thread.sleep(50);
        }
        return !alive(pid);
    }

    public static Path write(Path dir, String name, String content) throws IOException {
        Path p = dir.resolve(name);
        Files.createDirectories(p.getParent());
        Files.writeString(p, content);
        return p;
    }
}

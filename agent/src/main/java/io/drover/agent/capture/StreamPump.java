package io.drover.agent.capture;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.function.Consumer;

/** Reads a process stream line by line on its own thread and hands each stamped line on. */
public final class StreamPump {
    private final Thread thread;

    public StreamPump(InputStream in, String stream, Consumer<LogLine> out, String name) {
        this.thread = new Thread(() -> pump(in, stream, out), "drover-" + stream + "-" + name);
        this.thread.setDaemon(true);
        this.thread.start();
    }

    private static void pump(InputStream in, String stream, Consumer<LogLine> out) {
        try (BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
            String line;
            while ((line = r.readLine()) != null) {
                out.accept(new LogLine(java.time.Instant.now(), stream, line));
            }
        } catch (IOException e) {
            // the process ended and its pipe closed under us
        }
    }

    /** Waits until the stream is drained (the process and everything holding its pipe ended). */
    public void join(long millis) throws InterruptedException {
        thread.join(millis);
    }
}

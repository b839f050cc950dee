package io.drover.controller.live;

import io.vertx.core.Context;
import io.vertx.core.http.HttpServerResponse;
import java.util.ArrayDeque;
import java.util.Set;

/**
 * One open {@code GET /stream}: what it listens to and a bounded queue of frames not yet handed to
 * the socket. Frames are written only on the connection's own event loop ({@link #send} may be
 * called from any thread). A client that does not read falls behind by at most
 * {@link #MAX_QUEUED} frames or {@link #MAX_BYTES}; past that it is disconnected (EventSource
 * reconnects and reloads), never buffered without bound.
 *
 * @param visible for a stream without project or task: the projects its caller may read (null: all)
 */
final class LiveConnection {
    static final int MAX_QUEUED = 512;
    static final int MAX_BYTES = 1 << 20;

    final String project;
    final String task;
    final Set<String> visible;
    private final HttpServerResponse res;
    private final Context context;
    private final ArrayDeque<String> queue = new ArrayDeque<>();
    private int queuedBytes;
    private boolean closed;
    private Runnable onClose = () -> {};

    LiveConnection(HttpServerResponse res, Context context, String project, String task, Set<String> visible) {
        this.res = res;
        this.context = context;
        this.project = project;
        this.task = task;
        this.visible = visible;
    }

    /** Runs {@code r} once, when the client goes away or is dropped. */
    void onClose(Runnable r) {
        this.onClose = r;
        res.closeHandler(v -> close());
        res.exceptionHandler(e -> close());
    }

    /** Whether a {@code task} event about a task of {@code taskProject} is for this stream. */
    boolean wantsTask(String taskId, String taskProject) {
        if (project == null && task == null) return visible == null || (taskProject != null && visible.contains(taskProject));
        return taskId.equals(task) || (project != null && project.equals(taskProject));
    }

    /** Whether {@code log}, {@code scalars} and {@code report} events of this task are for this stream. */
    boolean wantsDetails(String taskId) {
        return taskId.equals(task);
    }

    /** Queues one SSE frame (thread-safe; the write happens on the connection's event loop). */
    void send(String frame) {
        context.runOnContext(v -> enqueue(frame));
    }

    private void enqueue(String frame) {
        if (closed) return;
        if (queue.size() >= MAX_QUEUED || queuedBytes + frame.length() > MAX_BYTES) {
            // the client stopped reading: drop it rather than hold its backlog
            close();
            res.reset();
            return;
        }
        queue.add(frame);
        queuedBytes += frame.length();
        drain();
    }

    private void drain() {
        while (!closed && !queue.isEmpty() && !res.writeQueueFull()) {
            String f = queue.poll();
            queuedBytes -= f.length();
            res.write(f);
        }
        if (!closed && !queue.isEmpty()) res.drainHandler(v -> drain());
    }

    private void close() {
        if (closed) return;
        closed = true;
        queue.clear();
        onClose.run();
    }
}

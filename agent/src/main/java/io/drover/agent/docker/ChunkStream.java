package io.drover.agent.docker;

import java.io.InputStream;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;

/**
 * An InputStream fed with chunks by the Docker log stream, so container output reaches the same
 * line pumps as a process's pipes. Bounded: a task that prints faster than the logs are shipped
 * slows down its log stream instead of filling the agent's memory. (PipedInputStream would break
 * when the writing callback thread changes or ends.)
 */
final class ChunkStream extends InputStream {
    private static final byte[] EOF = new byte[0];
    private final BlockingQueue<byte[]> chunks = new ArrayBlockingQueue<>(256);
    private byte[] current;
    private int pos;
    private volatile boolean closed;

    /** Adds a chunk; blocks while 256 chunks wait to be read. */
    void feed(byte[] bytes) {
        if (bytes == null || bytes.length == 0 || closed) return;
        try {
            chunks.put(bytes);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** No more chunks: readers get end of stream once the queue is drained. */
    void end() {
        if (closed) return;
        closed = true;
        while (!chunks.offer(EOF)) chunks.poll(); // a full queue: drop the oldest rather than block the closer
    }

    @Override
    public int read() {
        byte[] one = new byte[1];
        int n = read(one, 0, 1);
        return n < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] b, int off, int len) {
        if (len == 0) return 0;
        if (current == EOF) return -1;
        if (current == null || pos >= current.length) {
            try {
                current = chunks.take();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return -1;
            }
            pos = 0;
            if (current == EOF) return -1;
        }
        int n = Math.min(len, current.length - pos);
        System.arraycopy(current, pos, b, off, n);
        pos += n;
        return n;
    }

    @Override
    public void close() {
        end();
    }
}

package io.drover.agent.faults;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A loopback TCP relay to one target port that a test can {@link #cut} (every open connection is
 * dropped and new ones are closed at once, as when the network between agent and controller
 * fails) and {@link #restore}. It also counts the HTTP/1.1 responses with a given status that
 * pass from the target back to the client, so a test can see the controller refuse a write.
 */
public final class TcpProxy implements AutoCloseable {
    private final int targetPort;
    private final ServerSocket server;
    private final Set<Socket> open = ConcurrentHashMap.newKeySet();
    private final ConcurrentHashMap<Integer, AtomicInteger> statuses = new ConcurrentHashMap<>();
    /** What came back from the target, as ISO-8859-1 text (bounded), for {@link #answered}. */
    private final StringBuilder answers = new StringBuilder();
    private static final int MAX_ANSWER_CHARS = 4_000_000;
    private final Thread acceptor;
    private volatile boolean cut;
    private volatile boolean closed;

    public TcpProxy(int targetPort) throws IOException {
        this.targetPort = targetPort;
        this.server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        this.acceptor = new Thread(this::acceptLoop, "tcp-proxy-accept");
        acceptor.setDaemon(true);
        acceptor.start();
    }

    public int port() {
        return server.getLocalPort();
    }

    public String url() {
        return "http://127.0.0.1:" + port();
    }

    /** Drops every relayed connection now and refuses new ones until {@link #restore}. */
    public void cut() {
        cut = true;
        for (Socket s : open) closeQuietly(s);
    }

    public void restore() {
        cut = false;
    }

    /** How many responses with this HTTP status went back to clients so far. */
    public int responses(int status) {
        AtomicInteger n = statuses.get(status);
        return n == null ? 0 : n.get();
    }

    /** Whether anything the target sent back since {@link #forgetAnswers} matches {@code regex}. */
    public boolean answered(String regex) {
        synchronized (answers) {
            return java.util.regex.Pattern.compile(regex).matcher(answers).find();
        }
    }

    public void forgetAnswers() {
        synchronized (answers) {
            answers.setLength(0);
        }
    }

    private void acceptLoop() {
        while (!closed) {
            Socket client;
            try {
                client = server.accept();
            } catch (IOException e) {
                return;
            }
            if (cut) {
                closeQuietly(client);
                continue;
            }
            try {
                Socket target = new Socket();
                target.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), targetPort), 5_000);
                open.add(client);
                open.add(target);
                pump(client, target, false);
                pump(target, client, true);
            } catch (IOException e) {
                closeQuietly(client);
            }
        }
    }

    private void pump(Socket from, Socket to, boolean responses) {
        Thread t = new Thread(() -> {
            byte[] buf = new byte[16 * 1024];
            String carry = "";
            try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
                int n;
                while ((n = in.read(buf)) >= 0) {
                    if (cut) break; // data that arrives after the cut does not get through
                    if (responses) {
                        String text = new String(buf, 0, n, StandardCharsets.ISO_8859_1);
                        carry = countStatuses(carry, text);
                        synchronized (answers) {
                            if (answers.length() + text.length() <= MAX_ANSWER_CHARS) answers.append(text);
                        }
                    }
                    out.write(buf, 0, n);
                    out.flush();
                }
            } catch (IOException ignored) {
                // the other side went away, or cut() closed the socket
            } finally {
                closeQuietly(from);
                closeQuietly(to);
                open.remove(from);
                open.remove(to);
            }
        }, "tcp-proxy-pump");
        t.setDaemon(true);
        t.start();
    }

    private static final String STATUS_LINE = "HTTP/1.1 ";

    /** Counts status lines in {@code chunk}, which may start in the tail of the previous chunk; returns the new tail. */
    private String countStatuses(String carry, String chunk) {
        String s = carry + chunk;
        int from = 0;
        int at;
        while ((at = s.indexOf(STATUS_LINE, from)) >= 0 && at + STATUS_LINE.length() + 3 <= s.length()) {
            // a match lying wholly in the carried tail was counted with the previous chunk
            if (at + STATUS_LINE.length() + 3 > carry.length()) {
                try {
                    int code = Integer.parseInt(s.substring(at + STATUS_LINE.length(), at + STATUS_LINE.length() + 3));
                    statuses.computeIfAbsent(code, k -> new AtomicInteger()).incrementAndGet();
                } catch (NumberFormatException ignored) {
                    // not a status line after all (body text)
                }
            }
            from = at + 1;
        }
        int keep = STATUS_LINE.length() + 2;
        return s.length() <= keep ? s : s.substring(s.length() - keep);
    }

    private static void closeQuietly(Socket s) {
        try {
            s.close();
        } catch (IOException ignored) {
            // already closed
        }
    }

    @Override
    public void close() throws IOException {
        closed = true;
        server.close();
        for (Socket s : open) closeQuietly(s);
    }
}

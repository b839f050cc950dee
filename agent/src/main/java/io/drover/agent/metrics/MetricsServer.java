package io.drover.agent.metrics;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code GET /metrics} (Prometheus text format) and {@code GET /health} for the agent, on one
 * daemon thread that blocks in {@code accept()}: no timer, no selector wake-ups, nothing running
 * while nobody scrapes. Only java.base (the agent bundle's jlink'd runtime has no jdk.httpserver).
 * Each connection answers one request and is closed ({@code Connection: close}), which every
 * Prometheus server and curl accept; a client has 10 s to send its request.
 */
public final class MetricsServer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(MetricsServer.class);
    private static final int MAX_HEADER_BYTES = 16 * 1024;
    private static final int READ_TIMEOUT_MS = 10_000;

    private final ServerSocket socket;
    private final AgentMetrics metrics;
    private final Thread thread;
    private volatile boolean closed;

    private MetricsServer(ServerSocket socket, AgentMetrics metrics) {
        this.socket = socket;
        this.metrics = metrics;
        this.thread = new Thread(this::acceptLoop, "drover-metrics");
        thread.setDaemon(true);
    }

    /**
     * Listens on {@code host:port} (port 0: a free one) and serves {@link AgentMetrics#get()}.
     *
     * @throws IOException when the address cannot be bound (port taken, unknown host)
     */
    public static MetricsServer start(String host, int port) throws IOException {
        ServerSocket s = new ServerSocket();
        try {
            s.bind(new InetSocketAddress(InetAddress.getByName(host), port), 16);
        } catch (IOException e) {
            s.close();
            throw e;
        }
        AgentMetrics m = AgentMetrics.get();
        m.enable();
        MetricsServer server = new MetricsServer(s, m);
        server.thread.start();
        return server;
    }

    public int port() {
        return socket.getLocalPort();
    }

    /** True when only this machine can connect. */
    public boolean loopback() {
        return socket.getInetAddress().isLoopbackAddress();
    }

    /** {@code http://host:port}, for logs and tests. */
    public String url() {
        InetAddress a = socket.getInetAddress();
        String h = a.getHostAddress();
        return "http://" + (h.contains(":") ? "[" + h + "]" : h) + ":" + port();
    }

    private void acceptLoop() {
        while (!closed) {
            try (Socket c = socket.accept()) {
                c.setSoTimeout(READ_TIMEOUT_MS);
                serve(c);
            } catch (SocketException e) {
                if (closed) return;
                LOG.debug("metrics connection: {}", e.toString());
            } catch (IOException | RuntimeException e) {
                LOG.debug("metrics connection: {}", e.toString());
            }
        }
    }

    private void serve(Socket c) throws IOException {
        InputStream in = new BufferedInputStream(c.getInputStream());
        String requestLine = readHead(in);
        OutputStream out = c.getOutputStream();
        if (requestLine == null) {
            respond(out, 400, "text/plain; charset=utf-8", AgentMetrics.text("bad request\n"), true);
            return;
        }
        String[] parts = requestLine.split(" ");
        String method = parts[0];
        String path = parts.length > 1 ? parts[1] : "";
        int q = path.indexOf('?');
        if (q >= 0) path = path.substring(0, q);
        boolean head = method.equals("HEAD");
        if (!method.equals("GET") && !head) {
            respond(out, 405, "text/plain; charset=utf-8", AgentMetrics.text("only GET /metrics and GET /health\n"), !head);
            return;
        }
        switch (path) {
            case "/metrics" -> respond(out, 200, AgentMetrics.CONTENT_TYPE, metrics.scrape(), !head);
            case "/health" -> respond(out, 200, "application/json", AgentMetrics.text("{\"status\":\"ok\"}\n"), !head);
            default -> respond(out, 404, "text/plain; charset=utf-8",
                    AgentMetrics.text("not found: the agent serves GET /metrics and GET /health\n"), !head);
        }
    }

    /** The request line, after reading the headers up to the blank line; null when malformed or too long. */
    private static String readHead(InputStream in) throws IOException {
        StringBuilder line = new StringBuilder();
        String first = null;
        int total = 0;
        while (true) {
            int b = in.read();
            if (b < 0) return null;
            if (++total > MAX_HEADER_BYTES) return null;
            if (b == '\n') {
                int len = line.length();
                if (len > 0 && line.charAt(len - 1) == '\r') line.setLength(len - 1);
                if (line.length() == 0) return first;
                if (first == null) first = line.toString();
                line.setLength(0);
            } else {
                line.append((char) b);
            }
        }
    }

    private static void respond(OutputStream out, int status, String type, byte[] body, boolean withBody) throws IOException {
        String reason = switch (status) {
            case 200 -> "OK";
            case 400 -> "Bad Request";
            case 404 -> "Not Found";
            default -> "Method Not Allowed";
        };
        String head = "HTTP/1.1 " + status + " " + reason + "\r\nContent-Type: " + type + "\r\nContent-Length: " + body.length
                + "\r\nCache-Control: no-store\r\nConnection: close\r\n\r\n";
        out.write(head.getBytes(StandardCharsets.US_ASCII));
        if (withBody) out.write(body);
        out.flush();
    }

    @Override
    public void close() {
        closed = true;
        try {
            socket.close();
        } catch (IOException ignored) {
            // closing anyway
        }
    }
}

package io.drover.agent.daemon;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.UnknownHostException;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Locale;

/**
 * One claim request over a plain {@code http://} socket (HTTP/1.1, {@code Connection: close}),
 * written by hand for one reason: abandoning it must lose no task. An abandoned poll only shuts
 * down the agent's sending side (a TCP half-close) and keeps reading:
 * <ul>
 *   <li>the controller sees the hang-up on its event loop, the same thread that checks "hung up?"
 *       and writes the answer, so it either answers first or hands any claim it makes afterwards
 *       straight back to the top of its queue (attempt not counted);</li>
 *   <li>an answer it wrote before seeing the hang-up still arrives here and is returned, so the
 *       caller runs that task.</li>
 * </ul>
 * Cancelling {@link java.net.http.HttpClient}'s exchange instead closes the socket both ways: an
 * answer already on the wire is then dropped, and its task waits out a lease nobody holds.
 */
final class PlainClaimExchange {
    /** What came back; {@link #ABANDONED} when the poll was abandoned and no answer arrived. */
    record Answer(int status, String body) {
        static final Answer ABANDONED = new Answer(-1, "");

        boolean abandoned() {
            return status < 0;
        }
    }

    /** How often a blocked read looks at the poll (abandoned, interrupted, past its deadline). */
    private static final int TICK_MS = 100;
    /** How long an abandoned poll waits for the controller to close its side before giving up on it. */
    private static final Duration ABANDON_GRACE = Duration.ofSeconds(5);
    private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(5);

    private PlainClaimExchange() {}

    /**
     * POSTs {@code json} to {@code node + path} and returns the answer. Interrupting the calling
     * thread abandons the poll (an answer that still comes is returned, with the thread's interrupt
     * flag set again); a poll abandoned with no answer throws {@link InterruptedException} then.
     *
     * @throws IOException a failure the caller maps to {@link io.drover.shared.client.NodeFailure}:
     *                     {@link ConnectException} or {@link HttpConnectTimeoutException} when nothing was sent
     */
    static Answer post(URI node, String path, String json, String token, Duration timeout, ClaimPoll poll)
            throws IOException, InterruptedException {
        String host = node.getHost();
        int port = node.getPort() > 0 ? node.getPort() : 80;
        byte[] request = request(node, path, json, token);
        boolean interrupted = false;
        try (Socket s = new Socket()) {
            poll.onAbandon(() -> halfClose(s));
            try {
                s.connect(new InetSocketAddress(host, port), (int) CONNECT_TIMEOUT.toMillis());
            } catch (SocketTimeoutException e) {
                throw new HttpConnectTimeoutException("connect timed out");
            } catch (UnknownHostException e) {
                ConnectException c = new ConnectException("unknown host " + host);
                c.initCause(new java.nio.channels.UnresolvedAddressException());
                throw c;
            }
            if (poll.abandoned()) return Answer.ABANDONED; // nothing sent: nothing to hand back
            s.setTcpNoDelay(true);
            s.setSoTimeout(TICK_MS);
            try {
                s.getOutputStream().write(request);
                s.getOutputStream().flush();
            } catch (IOException e) {
                // cut while sending: the controller got at most part of the request and claims nothing
                if (poll.abandoned()) return Answer.ABANDONED;
                throw e;
            }
            long deadline = System.nanoTime() + timeout.toNanos();
            long abandonedBy = 0;
            InputStream in = s.getInputStream();
            ByteArrayOutputStream got = new ByteArrayOutputStream();
            byte[] buf = new byte[8192];
            while (true) {
                int n;
                try {
                    n = in.read(buf);
                } catch (SocketTimeoutException tick) {
                    n = 0;
                } catch (IOException e) {
                    if (poll.abandoned()) return finish(Answer.ABANDONED, interrupted);
                    throw e;
                }
                if (n < 0) break;
                got.write(buf, 0, n);
                Answer a = parse(got.toByteArray(), false);
                if (a != null) return finish(a, interrupted);
                if (Thread.interrupted()) {
                    interrupted = true;
                    poll.abandon();
                }
                long now = System.nanoTime();
                if (poll.abandoned()) {
                    if (abandonedBy == 0) abandonedBy = now + ABANDON_GRACE.toNanos();
                    else if (now - abandonedBy > 0) return finish(Answer.ABANDONED, interrupted);
                }
                if (now - deadline > 0) throw new HttpTimeoutException("no answer in time");
            }
            Answer a = parse(got.toByteArray(), true);
            if (a != null) return finish(a, interrupted);
            if (poll.abandoned()) return finish(Answer.ABANDONED, interrupted);
            throw new IOException("the controller closed the connection without an answer");
        } finally {
            if (interrupted) Thread.currentThread().interrupt();
        }
    }

    private static Answer finish(Answer a, boolean interrupted) throws InterruptedException {
        if (a.abandoned() && interrupted) {
            Thread.interrupted(); // thrown instead of kept as the flag
            throw new InterruptedException("claim poll abandoned: the agent is stopping");
        }
        return a;
    }

    private static void halfClose(Socket s) {
        try {
            if (s.isConnected() && !s.isClosed()) s.shutdownOutput();
        } catch (IOException e) {
            // already closed or never connected: post() sees the flag
        }
    }

    private static byte[] request(URI node, String path, String json, String token) {
        byte[] body = json.getBytes(StandardCharsets.UTF_8);
        String base = node.getRawPath() == null ? "" : node.getRawPath();
        StringBuilder h = new StringBuilder();
        h.append("POST ").append(base).append(path).append(" HTTP/1.1\r\n");
        h.append("Host: ").append(node.getRawAuthority()).append("\r\n");
        h.append("Content-Type: application/json\r\nAccept: application/json\r\nConnection: close\r\n");
        h.append("Content-Length: ").append(body.length).append("\r\n");
        if (token != null && !token.isEmpty()) h.append("Authorization: Bearer ").append(token).append("\r\n");
        h.append("\r\n");
        byte[] head = h.toString().getBytes(StandardCharsets.UTF_8);
        byte[] out = new byte[head.length + body.length];
        System.arraycopy(head, 0, out, 0, head.length);
        System.arraycopy(body, 0, out, head.length, body.length);
        return out;
    }

    /**
     * The answer in {@code raw} once it is whole (by Content-Length, or at the end of the stream),
     * else null.
     */
    static Answer parse(byte[] raw, boolean eof) throws IOException {
        int end = indexOf(raw, "\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
        if (end < 0) {
            if (eof && raw.length > 0) throw new IOException("the controller sent a cut-off answer");
            return null;
        }
        String[] head = new String(raw, 0, end, StandardCharsets.ISO_8859_1).split("\r\n");
        String[] statusLine = head[0].split(" ", 3);
        int status;
        try {
            status = Integer.parseInt(statusLine.length > 1 ? statusLine[1] : "");
        } catch (NumberFormatException e) {
            throw new IOException("not an HTTP answer: " + head[0]);
        }
        long length = -1;
        boolean chunked = false;
        for (int i = 1; i < head.length; i++) {
            int colon = head[i].indexOf(':');
            if (colon < 0) continue;
            String name = head[i].substring(0, colon).trim().toLowerCase(Locale.ROOT);
            String value = head[i].substring(colon + 1).trim();
            if (name.equals("content-length")) length = Long.parseLong(value);
            if (name.equals("transfer-encoding") && value.toLowerCase(Locale.ROOT).contains("chunked")) chunked = true;
        }
        int bodyStart = end + 4;
        int have = raw.length - bodyStart;
        if (status == 204 || status == 304 || (status >= 100 && status < 200)) return new Answer(status, "");
        if (chunked) {
            if (!eof) return null;
            return new Answer(status, dechunk(raw, bodyStart));
        }
        if (length >= 0) {
            if (have < length) {
                if (eof) throw new IOException("the controller's answer was cut off");
                return null;
            }
            return new Answer(status, new String(raw, bodyStart, (int) length, StandardCharsets.UTF_8));
        }
        return eof ? new Answer(status, new String(raw, bodyStart, have, StandardCharsets.UTF_8)) : null;
    }

    private static String dechunk(byte[] raw, int from) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int i = from;
        while (true) {
            int eol = indexOf(raw, i, "\r\n".getBytes(StandardCharsets.US_ASCII));
            if (eol < 0) throw new IOException("the controller's chunked answer was cut off");
            String size = new String(raw, i, eol - i, StandardCharsets.US_ASCII);
            int semi = size.indexOf(';');
            int n = Integer.parseInt((semi < 0 ? size : size.substring(0, semi)).trim(), 16);
            if (n == 0) return out.toString(StandardCharsets.UTF_8);
            if (eol + 2 + n > raw.length) throw new IOException("the controller's chunked answer was cut off");
            out.write(raw, eol + 2, n);
            i = eol + 2 + n + 2;
        }
    }

    private static int indexOf(byte[] a, byte[] what) {
        return indexOf(a, 0, what);
    }

    private static int indexOf(byte[] a, int from, byte[] what) {
        outer:
        for (int i = from; i + what.length <= a.length; i++) {
            for (int j = 0; j < what.length; j++) {
                if (a[i + j] != what[j]) continue outer;
            }
            return i;
        }
        return -1;
    }
}

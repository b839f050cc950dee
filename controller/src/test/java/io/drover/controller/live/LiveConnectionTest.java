package io.drover.controller.live;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** The per-connection buffer is bounded: a client that stops reading is dropped, one that reads gets everything. */
@org.junit.jupiter.api.Timeout(120)
class LiveConnectionTest {
    static final String FRAME = "event: log\ndata: {\"pad\":\"" + "x".repeat(8 * 1024) + "\"}\n\n";

    /** A server whose one stream gets {@code frames} frames pushed at once; completes when the connection is dropped. */
    record Server(Vertx vertx, HttpServer http, CompletableFuture<Void> dropped, AtomicInteger sent) implements AutoCloseable {
        static Server start(int frames) throws Exception {
            Vertx vertx = Vertx.vertx();
            CompletableFuture<Void> dropped = new CompletableFuture<>();
            AtomicInteger sent = new AtomicInteger();
            HttpServer http = vertx.createHttpServer().requestHandler(req -> {
                req.response().setChunked(true).putHeader("Content-Type", "text/event-stream");
                LiveConnection c = new LiveConnection(req.response(), vertx.getOrCreateContext(), null, "t", null);
                c.onClose(() -> dropped.complete(null));
                for (int i = 0; i < frames; i++) {
                    c.send(FRAME);
                    sent.incrementAndGet();
                }
            }).listen(0, "127.0.0.1").toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
            return new Server(vertx, http, dropped, sent);
        }

        @Override
        public void close() throws Exception {
            vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        }
    }

    static Socket request(int port) throws Exception {
        Socket s = new Socket("127.0.0.1", port);
        s.setReceiveBufferSize(4096);
        OutputStream out = s.getOutputStream();
        out.write("GET /stream HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
        out.flush();
        return s;
    }

    @Test
    void aClientThatDoesNotReadIsDroppedNotBufferedForever() throws Exception {
        // 4,000 frames of 8 KiB (32 MiB): far more than the socket buffers plus the 1 MiB allowed to wait
        try (Server srv = Server.start(4000); Socket s = request(srv.http().actualPort())) {
            srv.dropped().get(60, TimeUnit.SECONDS); // throws if it is never dropped
            assertThat(srv.sent().get()).isEqualTo(4000);
        }
    }

    @Test
    void aClientThatReadsGetsEveryFrame() throws Exception {
        // 100 frames (800 KiB) fit in the bound: all arrive, nothing is dropped
        try (Server srv = Server.start(100); Socket s = request(srv.http().actualPort())) {
            InputStream in = s.getInputStream();
            byte[] buf = new byte[64 * 1024];
            long total = 0;
            int events = 0;
            StringBuilder tail = new StringBuilder();
            while (events < 100) {
                int n = in.read(buf);
                if (n < 0) break;
                total += n;
                String chunk = tail + new String(buf, 0, n, StandardCharsets.ISO_8859_1);
                int idx = 0;
                while ((idx = chunk.indexOf("event: log", idx)) >= 0) {
                    events++;
                    idx += 10;
                }
                tail.setLength(0);
                tail.append(chunk.substring(Math.max(0, chunk.length() - 9)));
            }
            assertThat(events).isEqualTo(100);
            assertThat(total).isGreaterThan(100L * 8 * 1024);
            assertThat(srv.dropped()).isNotDone();
        }
    }
}

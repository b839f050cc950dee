package io.drover.shared.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpServer;
import io.drover.shared.domain.DroverException;
import io.drover.shared.domain.ErrorCode;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Several controller URLs: the client sticks to one node, moves on when it is down, and sends a
 * request to a second node only when that cannot apply it twice. Real HTTP servers on port 0.
 */
class ApiClientFailoverTest {
    private final List<HttpServer> servers = new ArrayList<>();

    /** A node: how it answers, and how many requests reached it. */
    private record Node(String url, AtomicInteger hits) {}

    private enum Mode { OK, UNAVAILABLE, DROP }

    private Node node(Mode mode) throws IOException {
        HttpServer s = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        AtomicInteger hits = new AtomicInteger();
        s.createContext("/", ex -> {
            hits.incrementAndGet();
            ex.getRequestBody().readAllBytes();
            switch (mode) {
                case OK -> {
                    byte[] b = "{\"ok\":true}".getBytes(StandardCharsets.UTF_8);
                    ex.sendResponseHeaders(200, b.length);
                    ex.getResponseBody().write(b);
                }
                case UNAVAILABLE -> {
                    byte[] b = "{\"error\":{\"code\":\"unavailable\",\"message\":\"the store is unreachable\"}}".getBytes(StandardCharsets.UTF_8);
                    ex.sendResponseHeaders(503, b.length);
                    ex.getResponseBody().write(b);
                }
                case DROP -> { } // read the request, then hang up without an answer: as a node killed mid-request
            }
            ex.close();
        });
        s.start();
        servers.add(s);
        return new Node("http://127.0.0.1:" + s.getAddress().getPort(), hits);
    }

    /** A URL where nothing listens: connection refused. */
    private static String deadUrl() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return "http://127.0.0.1:" + s.getLocalPort();
        }
    }

    @AfterEach
    void stop() {
        servers.forEach(s -> s.stop(0));
    }

    @Test
    void refusedNodeIsSkippedAndTheNextOneStaysCurrent() throws Exception {
        String dead = deadUrl();
        Node b = node(Mode.OK);
        ApiClient api = new ApiClient(dead + ", " + b.url() + "/", null);
        assertThat(api.baseUri().toString()).isEqualTo(dead);

        // a POST that never reached the dead node is safe to send to the next one
        assertThat(api.post("/api/v1/tasks", Map.of("name", "x"))).isPresent();
        assertThat(api.baseUri().toString()).as("sticky: the node that answered is current").isEqualTo(b.url());
        assertThat(api.get("/api/v1/ping").path("ok").asBoolean()).isTrue();
        assertThat(b.hits()).hasValue(2);
        // clients made from it share the current node
        assertThat(api.withHeader("X-A", "1").baseUri().toString()).isEqualTo(b.url());
    }

    @Test
    void postThatMayHaveBeenAppliedIsNotSentAgainUnlessIdempotent() throws Exception {
        Node a = node(Mode.DROP);
        Node b = node(Mode.OK);
        ApiClient api = new ApiClient(a.url() + "," + b.url(), null);

        assertThatThrownBy(() -> api.post("/api/v1/tasks", Map.of("name", "x")))
                .isInstanceOf(DroverException.class)
                .hasMessageContaining(a.url()).hasMessageContaining("may or may not have been applied");
        assertThat(a.hits()).hasValue(1);
        assertThat(b.hits()).as("a task must not be created twice").hasValue(0);

        // heartbeats, lease-fenced writes, numbered log batches: sent again to the next node
        assertThat(api.idempotent().post("/api/v1/workers/w/heartbeat", Map.of())).isPresent();
        assertThat(b.hits()).hasValue(1);
        assertThat(api.baseUri().toString()).isEqualTo(b.url());
    }

    @Test
    void getMovesOnFrom503AndPostDoesNot() throws Exception {
        Node a = node(Mode.UNAVAILABLE);
        Node b = node(Mode.OK);
        ApiClient api = new ApiClient(a.url() + "," + b.url(), null);

        assertThatThrownBy(() -> api.post("/api/v1/tasks", Map.of()))
                .isInstanceOf(DroverException.class).hasMessageContaining("the store is unreachable");
        assertThat(b.hits()).hasValue(0);
        assertThat(api.get("/api/v1/tasks").path("ok").asBoolean()).isTrue();
        assertThat(api.baseUri().toString()).isEqualTo(b.url());
    }

    @Test
    void allNodesDownNamesEveryNode() throws Exception {
        String d1 = deadUrl();
        Node d2 = node(Mode.UNAVAILABLE);
        ApiClient api = new ApiClient(d1 + "," + d2.url(), null);
        assertThatThrownBy(() -> api.get("/api/v1/tasks"))
                .isInstanceOf(DroverException.class)
                .satisfies(e -> assertThat(((DroverException) e).code()).isEqualTo(ErrorCode.UNAVAILABLE))
                .hasMessageContaining("no controller reachable")
                .hasMessageContaining(d1 + " (connection refused)")
                .hasMessageContaining(d2.url() + " (the store is unreachable)");
        assertThat(api.baseUri().toString()).as("no node answered: the current one stays").isEqualTo(d1);

        // both answered 503 (the store behind them is down): not "unreachable"
        Node n1 = node(Mode.UNAVAILABLE);
        assertThatThrownBy(() -> new ApiClient(n1.url() + "," + d2.url(), null).get("/api/v1/tasks"))
                .isInstanceOf(DroverException.class).hasMessageContaining("no controller could serve the request")
                .hasMessageContaining(n1.url() + " (the store is unreachable)");
    }

    @Test
    void oneNodeKeepsItsOwnMessages() throws Exception {
        String dead = deadUrl();
        assertThatThrownBy(() -> new ApiClient(dead, null).get("/x"))
                .hasMessageContaining("cannot reach the controller at " + dead + " (connection refused)");
        Node a = node(Mode.UNAVAILABLE);
        assertThatThrownBy(() -> new ApiClient(a.url(), null).get("/x"))
                .isInstanceOf(DroverException.class).hasMessage("the store is unreachable");
    }

    @Test
    void aWrongEntryInTheListIsNamed() {
        assertThatThrownBy(() -> new ApiClient("http://a:1,localhost:8080", null))
                .isInstanceOf(DroverException.class).hasMessageContaining("'localhost:8080'").hasMessageContaining("http://");
        assertThat(ControllerNodes.parse("http://a:1/, http://b:2 ,http://a:1").toString()).isEqualTo("http://a:1,http://b:2");
    }
}

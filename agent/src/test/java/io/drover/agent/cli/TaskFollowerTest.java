package io.drover.agent.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpServer;
import io.drover.shared.client.ApiClient;
import io.drover.shared.domain.DroverException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** Following a task rides out a controller that is away for a while (a restart), and gives up after a bound. */
class TaskFollowerTest {
    static final String ID = "0123456789abcdef01234567";

    @Test
    void followRetriesUntilTheControllerIsBack() throws Exception {
        int port = freePort();
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        TaskFollower f = new TaskFollower(new ApiClient("http://127.0.0.1:" + port, null),
                new PrintWriter(out, true), new PrintWriter(err, true), Duration.ofSeconds(30));
        CompletableFuture<Integer> code = CompletableFuture.supplyAsync(() -> f.followToEnd(ID, false));
        Thread.sleep(1500);
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", port), 0);
        // One line, then (asked for lines after it) none: the task is over.
        server.createContext("/api/v1/tasks/" + ID + "/logs", ex -> reply(ex, ex.getRequestURI().getQuery().contains("after=0")
                ? "{\"lines\":[{\"seq\":1,\"ts\":\"2026-01-01T00:00:00Z\",\"stream\":\"stdout\",\"text\":\"after the restart\"}],"
                        + "\"next\":1,\"status\":\"completed\"}"
                : "{\"lines\":[],\"next\":1,\"status\":\"completed\"}"));
        server.createContext("/api/v1/tasks/" + ID, ex -> reply(ex, "{\"id\":\"" + ID + "\",\"status\":\"completed\","
                + "\"execution\":{\"exitCode\":0}}"));
        server.start();
        try {
            assertThat(code.get(30, TimeUnit.SECONDS)).isZero();
        } finally {
            server.stop(0);
        }
        assertThat(out.toString()).isEqualTo("after the restart" + System.lineSeparator());
        assertThat(err.toString()).contains("cannot reach the controller").contains("retrying").contains("the controller is back");
    }

    @Test
    void followGivesUpAfterTheOutageBound() throws Exception {
        int port = freePort();
        TaskFollower f = new TaskFollower(new ApiClient("http://127.0.0.1:" + port, null),
                new PrintWriter(new StringWriter()), new PrintWriter(new StringWriter()), Duration.ofSeconds(2));
        long t0 = System.nanoTime();
        assertThatThrownBy(() -> f.follow(ID)).isInstanceOf(DroverException.class).hasMessageContaining("cannot reach");
        assertThat(Duration.ofNanos(System.nanoTime() - t0)).isBetween(Duration.ofSeconds(2), Duration.ofSeconds(20));
    }

    private static void reply(com.sun.net.httpserver.HttpExchange ex, String body) throws java.io.IOException {
        byte[] b = body.getBytes(StandardCharsets.UTF_8);
        ex.getResponseHeaders().add("Content-Type", "application/json");
        ex.sendResponseHeaders(200, b.length);
        ex.getResponseBody().write(b);
        ex.close();
    }

    private static int freePort() throws Exception {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }
}

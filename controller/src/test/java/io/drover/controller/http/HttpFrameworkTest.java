package io.drover.controller.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.drover.controller.Controller;
import io.drover.controller.config.ControllerConfig;
import io.drover.queue.TaskQueue;
import io.drover.shared.json.Json;
import java.lang.reflect.Proxy;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The HTTP framework alone: system routes and JSON errors for unknown paths, on a real server. */
class HttpFrameworkTest {
    @TempDir
    static Path dir;
    static Controller controller;
    static final HttpClient http = HttpClient.newHttpClient();

    @BeforeAll
    static void start() throws Exception {
        // the framework needs no queue: a stub that refuses every call
        TaskQueue stub = (TaskQueue) Proxy.newProxyInstance(TaskQueue.class.getClassLoader(), new Class<?>[] {TaskQueue.class},
                (p, m, a) -> m.getName().equals("reload") ? null : m.getName().equals("toString") ? "stub" : null);
        controller = Controller.start(ControllerConfig.defaults().withPort(0).withDataDir(dir).withAuth(false), (db, l, c) -> stub);
    }

    @AfterAll
    static void stop() {
        controller.close();
    }

    @Test
    void healthAndVersionAnswerJson() throws Exception {
        HttpResponse<String> r = get("/api/v1/health");
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(Json.parse(r.body()).path("status").asText()).isEqualTo("ok");
        assertThat(Json.parse(get("/api/v1/version").body()).path("api").asText()).isEqualTo("v1");
        assertThat(Json.parse(get("/health").body()).path("status").asText()).isEqualTo("ok");
        assertThat(Json.parse(get("/version").body()).path("api").asText()).isEqualTo("v1");
    }

    @Test
    void unknownApiPathIsJson404() throws Exception {
        HttpResponse<String> r = get("/api/v1/nope");
        assertThat(r.statusCode()).isEqualTo(404);
        assertThat(Json.parse(r.body()).path("error").path("code").asText()).isEqualTo("not_found");
    }

    private HttpResponse<String> get(String path) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(controller.baseUrl() + path)).build(),
                HttpResponse.BodyHandlers.ofString());
    }
}

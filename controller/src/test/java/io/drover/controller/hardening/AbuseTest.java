package io.drover.controller.hardening;

import static org.assertj.core.api.Assertions.assertThat;

import io.drover.controller.Controller;
import io.drover.controller.testing.Api;
import io.drover.controller.testing.TestConfig;
import io.drover.queue.TaskFields;
import io.drover.shared.domain.Ids;
import java.net.URI;
import java.net.http.HttpRequest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Date;
import java.util.stream.Stream;
import org.bson.Document;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Bad input over real HTTP: oversized bodies, deep JSON, artifact names that try to leave the task folder. */
class AbuseTest {
    @TempDir
    static Path dir;
    static Controller controller;
    static Api api;

    @BeforeAll
    static void start() throws Exception {
        controller = Controller.start(TestConfig.forTest(dir.resolve("data")).withAuth(false));
        api = new Api(controller.baseUrl());
    }

    @AfterAll
    static void stop() {
        controller.close();
    }

    @Test
    void bodyOverTheLimitIs413() {
        String big = "{\"name\":\"p\",\"description\":\"" + "x".repeat(1 << 20) + "\"}";
        Api.Res r = api.post("/projects", big);
        assertThat(r.status()).as(r.body()).isEqualTo(413);
        assertThat(r.errorCode()).isEqualTo("payload_too_large");
        assertThat(r.errorMessage()).contains("1 MiB");
        // without a Content-Length (chunked), the limit holds while reading
        byte[] bytes = big.getBytes(java.nio.charset.StandardCharsets.UTF_8);
        Api.Res chunked = api.send(HttpRequest.newBuilder(URI.create(controller.baseUrl() + "/api/v1/projects"))
                .timeout(Duration.ofSeconds(30)).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofInputStream(() -> new java.io.ByteArrayInputStream(bytes))).build());
        assertThat(chunked.status()).as(chunked.body()).isEqualTo(413);
        // the same body under the limit is read (and then judged on its content)
        Api.Res ok = api.post("/projects", "{\"name\":\"p-small\",\"description\":\"" + "x".repeat(1000) + "\"}");
        assertThat(ok.status()).as(ok.body()).isEqualTo(201);
    }

    @Test
    void jsonNestedDeeperThan32Is400() {
        Api.Res deep = api.post("/projects", "{\"name\":\"deep\",\"description\":" + nested(40) + "}");
        assertThat(deep.status()).as(deep.body()).isEqualTo(400);
        assertThat(deep.errorCode()).isEqualTo("bad_request");
        assertThat(deep.errorMessage()).contains("nesting depth");
        // every JSON body goes through the same parser: a task change and an agent write too
        Api.Res enqueue = api.post("/tasks/" + Ids.newId() + "/enqueue", "{\"queue\":" + nested(100) + "}");
        assertThat(enqueue.status()).isEqualTo(400);
        assertThat(enqueue.errorMessage()).contains("nesting depth");
        Api.Res logs = api.post("/tasks/" + Ids.newId() + "/logs", "{\"epoch\":1,\"batch\":1,\"lines\":" + nested(1000) + "}");
        assertThat(logs.status()).isEqualTo(400);
        assertThat(logs.errorMessage()).contains("nesting depth");
        // 32 levels (the object itself is one) are still read: the refusal is about content, not depth
        Api.Res at32 = api.post("/projects", "{\"name\":\"d32\",\"description\":" + nested(31) + "}");
        assertThat(at32.status()).isEqualTo(400);
        assertThat(at32.errorMessage()).doesNotContain("nesting depth");
    }

    private static String nested(int depth) {
        return "[".repeat(depth) + "]".repeat(depth);
    }

    @Test
    void artifactNamesWithRawDotSegmentsOrOverlongUtf8NeverLeaveTheTaskFolder() throws Exception {
        String id = runningTask();
        String base = controller.baseUrl() + "/api/v1/tasks/" + id + "/artifacts/";
        for (String bad : new String[] {"../../../../escaped", "a/../../../escaped", "%C0%AE%C0%AE%2Fescaped",
                "%2e%2e/escaped", "..%5Cescaped"}) {
            Api.Res r = api.send(HttpRequest.newBuilder(URI.create(base + bad + "?epoch=1")).timeout(Duration.ofSeconds(30))
                    .PUT(HttpRequest.BodyPublishers.ofString("evil")).build());
            assertThat(r.status()).as(bad + " → " + r.body()).isIn(400, 404);
        }
        // double-encoded dots are decoded once: a harmless literal name inside the task folder
        Api.Res literal = api.send(HttpRequest.newBuilder(URI.create(base + "%252e%252e%252fx?epoch=1"))
                .PUT(HttpRequest.BodyPublishers.ofString("fine")).build());
        assertThat(literal.status()).as(literal.body()).isEqualTo(201);
        assertThat(literal.json().path("name").asText()).isEqualTo("%2e%2e%2fx");
        Path data = dir.resolve("data");
        try (Stream<Path> all = Files.walk(dir)) {
            assertThat(all.filter(p -> p.getFileName().toString().contains("escaped"))).isEmpty();
        }
        try (Stream<Path> all = Files.walk(data)) {
            assertThat(all.filter(p -> p.getFileName().toString().equals("%2e%2e%2fx"))
                    .allMatch(p -> p.normalize().startsWith(data.resolve("artifacts")))).isTrue();
        }
    }

    private static String runningTask() {
        String id = Ids.newId();
        Date now = new Date();
        controller.services().store().tasks().insertOne(new Document(TaskFields.ID, id)
                .append("name", "abuse").append("project", "default").append(TaskFields.STATUS, "running")
                .append(TaskFields.QUEUE, "default").append(TaskFields.PRIORITY, 0).append(TaskFields.EPOCH, 1L)
                .append("createdAt", now).append("updatedAt", now)
                .append(TaskFields.EXECUTION, new Document("worker", "w1").append("attempt", 1).append("startedAt", now)));
        return id;
    }
}

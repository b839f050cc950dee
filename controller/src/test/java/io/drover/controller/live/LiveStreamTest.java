package io.drover.controller.live;

import static io.drover.controller.testing.Tasks.task;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.drover.controller.Controller;
import io.drover.controller.testing.Api;
import io.drover.controller.testing.ProjectRoles;
import io.drover.controller.testing.TestConfig;
import io.drover.shared.json.Json;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

@org.junit.jupiter.api.Timeout(180)
/** GET /api/v1/stream read by a real HTTP client: task, log, scalars and report events; access checks before the stream. */
class LiveStreamTest {
    @TempDir
    Path dir;

    /** One parsed SSE event. */
    record Event(String name, JsonNode data) {}

    /** An open stream: its status, headers and the events read so far by a background reader. */
    static final class Stream2 implements AutoCloseable {
        final HttpResponse<Stream<String>> res;
        final BlockingQueue<Event> events = new LinkedBlockingQueue<>();
        final Thread reader;

        Stream2(HttpResponse<Stream<String>> res) {
            this.res = res;
            this.reader = new Thread(() -> {
                String name = null;
                StringBuilder data = new StringBuilder();
                try {
                    for (String line : (Iterable<String>) res.body()::iterator) {
                        if (line.isEmpty()) {
                            if (name != null) events.add(new Event(name, Json.parse(data.toString())));
                            name = null;
                            data.setLength(0);
                        } else if (line.startsWith("event: ")) {
                            name = line.substring(7);
                        } else if (line.startsWith("data: ")) {
                            data.append(line.substring(6));
                        } else if (line.startsWith(":")) {
                            events.add(new Event("comment", Json.object().put("text", line)));
                        }
                    }
                } catch (RuntimeException closed) {
                    // the test closed the stream
                }
            });
            reader.setDaemon(true);
            reader.start();
        }

        Event await(String name, Predicate<JsonNode> match) throws InterruptedException {
            long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
            while (System.nanoTime() < end) {
                Event e = events.poll(100, TimeUnit.MILLISECONDS);
                if (e != null && e.name().equals(name) && match.test(e.data())) return e;
            }
            throw new AssertionError("no '" + name + "' event matching within 15 s");
        }

        @Override
        public void close() {
            res.body().close();
        }
    }

    static final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    static Stream2 open(String base, String query, String header, String value) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + "/api/v1/stream" + query)).timeout(Duration.ofSeconds(20)).GET();
        if (header != null) b.header(header, value);
        return new Stream2(http.send(b.build(), HttpResponse.BodyHandlers.ofLines()));
    }

    @Test
    void taskLogScalarAndReportEventsArriveLive() throws Exception {
        try (Controller c = Controller.start(TestConfig.forTest(dir).withAuth(false))) {
            Api api = new Api(c.baseUrl());
            try (Stream2 project = open(c.baseUrl(), "?project=live", null, null)) {
                assertThat(project.res.statusCode()).isEqualTo(200);
                assertThat(project.res.headers().firstValue("Content-Type").orElse("")).startsWith("text/event-stream");
                project.await("comment", d -> d.path("text").asText().contains("connected"));
                String other = api.ok("/tasks", task("elsewhere").put("project", "not-live")).path("id").asText();
                String id = api.ok("/tasks", task("watched").put("project", "live").put("queue", "liveq")).path("id").asText();
                Event created = project.await("task", d -> d.path("id").asText().equals(id));
                assertThat(created.data().path("project").asText()).isEqualTo("live");
                assertThat(created.data().path("name").asText()).isEqualTo("watched");
                assertThat(created.data().has("metrics")).isTrue();
                api.ok("/tasks/" + id + "/enqueue", Json.object());
                project.await("task", d -> d.path("id").asText().equals(id) && d.path("status").asText().equals("queued"));
                api.ok("/tasks/" + id + "/abort", Json.object().put("reason", "seen live"));
                Event aborted = project.await("task", d -> d.path("id").asText().equals(id) && d.path("status").asText().equals("aborted"));
                assertThat(aborted.data().path("statusReason").asText()).isEqualTo("seen live");
                assertThat(project.events.stream().filter(e -> e.data().path("id").asText().equals(other)))
                        .as("a task of another project is not sent").isEmpty();
            }

            // an agent runs a task: its stream sees status, new log lines, points and a plot
            String id = api.ok("/tasks", task("run").put("project", "live").put("queue", "runq").put("enqueue", true)).path("id").asText();
            api.ok("/workers", Json.object().put("name", "w-live").put("hostname", "box").put("pid", 1).put("version", "t")
                    .set("queues", Json.parse("[\"runq\"]")));
            try (Stream2 s = open(c.baseUrl(), "?task=" + id, null, null)) {
                assertThat(s.res.statusCode()).isEqualTo(200);
                s.await("comment", d -> d.path("text").asText().contains("connected"));
                JsonNode claim = api.ok("/workers/w-live/claim", Json.object().put("wait", 5).set("queues", Json.parse("[\"runq\"]")));
                long epoch = claim.path("lease").path("epoch").asLong();
                s.await("task", d -> d.path("status").asText().equals("running"));
                ObjectNode logs = Json.object().put("epoch", epoch).put("batch", 1);
                logs.putArray("lines").addObject().put("ts", "2026-11-26T07:00:00.000Z").put("stream", "stdout").put("text", "hello");
                api.ok("/tasks/" + id + "/logs", logs);
                Event log = s.await("log", d -> d.path("id").asText().equals(id));
                assertThat(log.data().path("next").asLong()).isGreaterThan(0);
                ObjectNode points = Json.object().put("epoch", epoch).put("batch", 1);
                points.putArray("points").addObject().put("metric", "loss").put("variant", "train").put("iter", 1).put("value", 0.5);
                api.ok("/tasks/" + id + "/scalars", points);
                Event sc = s.await("scalars", d -> d.path("id").asText().equals(id));
                assertThat(sc.data().path("series").toString()).contains("loss/train");
                s.await("task", d -> d.path("metrics").has("loss/train"));
                ObjectNode plot = Json.object().put("epoch", epoch).put("title", "p").put("kind", "bar").put("iter", 1);
                plot.putObject("spec").putArray("x").add(1);
                api.ok("/tasks/" + id + "/plots", plot);
                assertThat(s.await("report", d -> d.path("id").asText().equals(id)).data().path("kind").asText()).isEqualTo("plot");
            }
            assertThat(api.get("/stream?task=nope").status()).isEqualTo(400);
            assertThat(api.get("/stream?project=live&x=1").status()).isEqualTo(400);
            assertThat(api.get("/stream?task=0123456789abcdef01234567").status()).isEqualTo(404);
        }
    }

    @Test
    void callersWithoutAccessGet403BeforeTheStream() throws Exception {
        try (ProjectRoles roles = ProjectRoles.start(dir)) {
            String base = roles.controller.baseUrl();
            String sam = roles.keys().get("sam");
            assertThat(roles.call("GET", "/stream?project=p1", null, sam).status()).isEqualTo(403);
            Api.Res byTask = roles.call("GET", "/stream?task=" + roles.task, null, sam);
            assertThat(byTask.status()).isEqualTo(403);
            assertThat(byTask.errorMessage()).contains("p1");
            assertThat(roles.call("GET", "/stream?project=p1", null, null).status()).isEqualTo(401);
            // a viewer may watch, and sees a change made by a member
            try (Stream2 s = open(base, "?project=p1", "Authorization", "Bearer " + roles.keys().get("vera"))) {
                assertThat(s.res.statusCode()).isEqualTo(200);
                s.await("comment", d -> d.path("text").asText().contains("connected"));
                roles.call("POST", "/tasks/" + roles.task + "/archive", Json.object(), roles.keys().get("max"));
                s.await("task", d -> d.path("id").asText().equals(roles.task));
            }
            // without a filter: only the projects the caller may read (as of the stream's start)
            ObjectNode mine = Json.object().put("name", "sams").put("project", "sam-own");
            mine.putObject("script").put("repo", "https://example.com/r.git").put("entryPoint", "train.py");
            String own = roles.call("POST", "/tasks", mine, sam).json().path("id").asText();
            try (Stream2 s = open(base, "", "Authorization", "Bearer " + sam)) {
                assertThat(s.res.statusCode()).isEqualTo(200);
                s.await("comment", d -> d.path("text").asText().contains("connected"));
                roles.call("POST", "/tasks/" + roles.task + "/unarchive", Json.object(), roles.keys().get("max"));
                roles.call("POST", "/tasks/" + own + "/enqueue", Json.object(), sam);
                s.await("task", d -> d.path("id").asText().equals(own) && d.path("status").asText().equals("queued"));
                assertThat(s.events.stream().filter(e -> e.data().path("id").asText().equals(roles.task))).isEmpty();
            }
            // the dashboard's session cookie works (EventSource sends it; no CSRF header on a GET)
            HttpResponse<String> login = http.send(HttpRequest.newBuilder(URI.create(base + "/api/v1/auth/login"))
                    .header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString(Json.write(Json.object().put("username", "vera")
                            .put("password", "correct horse battery staple")))).build(), HttpResponse.BodyHandlers.ofString());
            String cookie = login.headers().firstValue("Set-Cookie").orElseThrow();
            try (Stream2 s = open(base, "?task=" + roles.task, "Cookie", cookie.substring(0, cookie.indexOf(';')))) {
                assertThat(s.res.statusCode()).isEqualTo(200);
            }
        }
    }
}

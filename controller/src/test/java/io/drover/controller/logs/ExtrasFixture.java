package io.drover.controller.logs;

import io.drover.controller.Controller;
import io.drover.controller.config.ControllerConfig;
import io.drover.queue.TaskFields;
import io.drover.shared.domain.Ids;
import io.drover.shared.json.Json;
import com.fasterxml.jackson.databind.JsonNode;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Date;
import org.bson.Document;

/**
 * A real controller (embedded store in a temp dir, HTTP on port 0) for the logs, artifacts,
 * metrics and dashboard tests, with helpers to put tasks in the states those routes need.
 * Tasks are written straight into the store so these tests do not depend on the task routes.
 */
public final class ExtrasFixture implements AutoCloseable {
    public final Controller controller;
    public final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    public ExtrasFixture(Path dataDir) throws Exception {
        controller = Controller.start(ControllerConfig.defaults().withPort(0).withDataDir(dataDir).withAuth(false));
    }

    /** Inserts a task running under lease {@code epoch}; returns its id. */
    public String runningTask(String name, long epoch) {
        String id = Ids.newId();
        Date now = new Date();
        controller.services().store().tasks().insertOne(new Document(TaskFields.ID, id)
                .append("name", name).append("project", "default").append(TaskFields.STATUS, "running")
                .append(TaskFields.QUEUE, "default").append(TaskFields.PRIORITY, 0).append(TaskFields.EPOCH, epoch)
                .append("createdAt", now).append("updatedAt", now)
                .append(TaskFields.EXECUTION, new Document("worker", "w1").append("attempt", 1).append("startedAt", now)));
        return id;
    }

    public void setStatus(String id, String status) {
        controller.services().store().tasks().updateOne(TaskFields.byId(id),
                new Document("$set", new Document(TaskFields.STATUS, status)));
    }

    public URI uri(String path) {
        return URI.create(controller.baseUrl() + path);
    }

    public HttpResponse<String> get(String path) throws Exception {
        return http.send(HttpRequest.newBuilder(uri(path)).build(), HttpResponse.BodyHandlers.ofString());
    }

    public HttpResponse<String> postJson(String path, Object body) throws Exception {
        String json = body instanceof String s ? s : Json.write(body);
        return http.send(HttpRequest.newBuilder(uri(path)).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(json)).build(), HttpResponse.BodyHandlers.ofString());
    }

    public static JsonNode json(HttpResponse<String> r) {
        return Json.parse(r.body());
    }

    @Override
    public void close() {
        controller.close();
    }
}

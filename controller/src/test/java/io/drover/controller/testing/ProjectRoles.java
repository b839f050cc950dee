package io.drover.controller.testing;

import io.drover.controller.Controller;
import io.drover.shared.json.Json;
import java.net.URI;
import java.net.http.HttpRequest;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;

/**
 * A controller with auth ON and one project {@code p1} holding one task, for role tests: olivia
 * owns it (she created the task), max is a member, vera a viewer, sam has no role. Each user has an
 * API key; {@link #call} sends a request as any of them.
 */
public final class ProjectRoles implements AutoCloseable {
    public final Controller controller;
    public final String admin;
    public final String task;
    private final Api api;
    private final Map<String, String> keys = new HashMap<>();

    private ProjectRoles(Controller controller) {
        this.controller = controller;
        this.api = new Api(controller.baseUrl());
        this.admin = controller.bootstrap().adminKey();
        String owner = user("olivia");
        user("max");
        user("vera");
        user("sam");
        this.task = call("POST", "/tasks", Json.object().put("name", "t").put("project", "p1")
                .set("script", Json.object().put("repo", "https://example.com/r.git").put("entryPoint", "train.py")), owner)
                .json().path("id").asText();
        if (task.isBlank()) throw new IllegalStateException("the owner could not create the test task");
        call("PUT", "/projects/p1/members/max", Json.object().put("role", "member"), owner);
        call("PUT", "/projects/p1/members/vera", Json.object().put("role", "viewer"), owner);
    }

    public static ProjectRoles start(Path dir) throws Exception {
        return new ProjectRoles(Controller.start(TestConfig.forTest(dir)));
    }

    /** The API key of olivia, max, vera or sam. */
    public Map<String, String> keys() {
        return keys;
    }

    private String user(String name) {
        call("POST", "/users", Json.object().put("username", name).put("password", "correct horse battery staple"), admin);
        String key = call("POST", "/keys", Json.object().put("user", name).put("name", "test"), admin).json().path("key").asText();
        keys.put(name, key);
        return key;
    }

    /** {@code method /api/v1 + path} with a JSON body (or none) as the holder of {@code key} (or anonymous). */
    public Api.Res call(String method, String path, Object body, String key) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(controller.baseUrl() + "/api/v1" + path)).timeout(Duration.ofSeconds(30))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(Json.write(body)));
        if (body != null) b.header("Content-Type", "application/json");
        if (key != null) b.header("Authorization", "Bearer " + key);
        return api.send(b.build());
    }

    @Override
    public void close() {
        controller.close();
    }
}

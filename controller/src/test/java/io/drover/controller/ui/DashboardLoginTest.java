package io.drover.controller.ui;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.drover.controller.Controller;
import io.drover.controller.auth.Bootstrap;
import io.drover.controller.config.ControllerConfig;
import io.drover.shared.json.Json;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The dashboard with auth on: login page, session cookie + CSRF, redirect to login, per-user task list behind the page. */
class DashboardLoginTest {
    @TempDir
    static Path dir;
    static Controller controller;
    static Bootstrap.Result boot;
    static final HttpClient HTTP = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NEVER)
            .connectTimeout(Duration.ofSeconds(5)).build();

    @BeforeAll
    static void start() throws Exception {
        controller = Controller.start(ControllerConfig.defaults().withPort(0).withDataDir(dir.resolve("data")));
        boot = controller.bootstrap();
        assertThat(boot).isNotNull();
    }

    @AfterAll
    static void stop() {
        if (controller != null) controller.close();
    }

    static HttpResponse<String> send(String method, String path, String body, String... headers) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(controller.baseUrl() + path)).timeout(Duration.ofSeconds(30));
        if (headers.length > 0) b.headers(headers);
        if (body != null) b.header("Content-Type", "application/json");
        b.method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    static JsonNode asAdmin(String method, String path, Object body) throws Exception {
        HttpResponse<String> r = send(method, "/api/v1" + path, body == null ? null : Json.write(body),
                "Authorization", "Bearer " + boot.adminKey());
        assertThat(r.statusCode()).as(method + " " + path + ": " + r.body()).isBetween(200, 299);
        return r.body().isEmpty() ? null : Json.parse(r.body());
    }

    static String task(String name, String project) throws Exception {
        return asAdmin("POST", "/tasks", Map.of("name", name, "project", project,
                "script", Map.of("repo", "/tmp/repo", "entryPoint", "train.py"))).path("id").asText();
    }

    /** Logs in like login.js does; returns {cookie, csrf}. */
    static String[] login(String user, String password) throws Exception {
        HttpResponse<String> r = send("POST", "/api/v1/auth/login", Json.write(Map.of("username", user, "password", password)),
                "Accept", "application/json");
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        String cookie = r.headers().allValues("Set-Cookie").stream().filter(c -> c.startsWith("drover_session="))
                .findFirst().orElseThrow();
        assertThat(cookie).containsIgnoringCase("HttpOnly").containsIgnoringCase("SameSite=Strict");
        return new String[] {cookie.split(";", 2)[0], Json.parse(r.body()).path("csrfToken").asText()};
    }

    @Test
    void anAnonymousBrowserIsSentToTheLoginPageWhichIsPublic() throws Exception {
        HttpResponse<String> page = send("GET", "/", null, "Accept", "text/html,application/xhtml+xml");
        assertThat(page.statusCode()).isEqualTo(302);
        assertThat(page.headers().firstValue("Location")).hasValue("/ui/login.html");
        assertThat(page.body()).doesNotContain("<table");

        HttpResponse<String> login = send("GET", "/ui/login.html", null, "Accept", "text/html");
        assertThat(login.statusCode()).isEqualTo(200);
        assertThat(login.body()).contains("<form id=\"login\"").contains("type=\"password\"").contains("/ui/login.js");
        HttpResponse<String> js = send("GET", "/ui/login.js", null);
        assertThat(js.statusCode()).isEqualTo(200);
        assertThat(js.body()).contains("/api/v1/auth/login").contains("rememberCsrf").doesNotContain("innerHTML");
        assertThat(send("GET", "/ui/dom.js", null).body()).contains("X-CSRF-Token").contains("same-origin")
                .contains("/ui/login.html").doesNotContain("innerHTML");
        // a script asking for JSON gets the API's 401, not a redirect
        assertThat(send("GET", "/api/v1/tasks", null, "Accept", "application/json").statusCode()).isEqualTo(401);
    }

    @Test
    void aSessionSeesOnlyItsProjectsAndLogoutNeedsTheCsrfToken() throws Exception {
        String visible = task("visible-task", "p-ui-vis");
        String hidden = task("hidden-task", "p-ui-hidden");
        asAdmin("POST", "/users", Map.of("username", "vic", "password", "vic-password-123"));
        asAdmin("PUT", "/projects/p-ui-vis/members/vic", Map.of("role", "viewer"));

        String[] vic = login("vic", "vic-password-123");
        HttpResponse<String> home = send("GET", "/", null, "Accept", "text/html", "Cookie", vic[0]);
        assertThat(home.statusCode()).isEqualTo(302);
        assertThat(home.headers().firstValue("Location")).hasValue("/ui/index.html");
        // what the experiments page reads with the session cookie
        HttpResponse<String> list = send("GET", "/api/v1/tasks?limit=500", null, "Accept", "application/json", "Cookie", vic[0]);
        assertThat(list.statusCode()).as(list.body()).isEqualTo(200);
        assertThat(list.body()).contains(visible).doesNotContain(hidden);
        HttpResponse<String> projects = send("GET", "/api/v1/projects", null, "Accept", "application/json", "Cookie", vic[0]);
        assertThat(projects.body()).contains("p-ui-vis").doesNotContain("p-ui-hidden");

        String[] admin = login("admin", boot.password());
        assertThat(send("GET", "/api/v1/tasks?limit=500", null, "Cookie", admin[0]).body()).contains(visible).contains(hidden);

        HttpResponse<String> noCsrf = send("POST", "/api/v1/auth/logout", null, "Cookie", vic[0]);
        assertThat(noCsrf.statusCode()).isEqualTo(403);
        HttpResponse<String> out = send("POST", "/api/v1/auth/logout", null, "Cookie", vic[0], "X-CSRF-Token", vic[1]);
        assertThat(out.statusCode()).isBetween(200, 204);
        assertThat(send("GET", "/", null, "Accept", "text/html", "Cookie", vic[0]).statusCode()).isEqualTo(302);
        assertThat(send("GET", "/", null, "Accept", "text/html", "Cookie", vic[0]).headers().firstValue("Location")).hasValue("/ui/login.html");
    }
}

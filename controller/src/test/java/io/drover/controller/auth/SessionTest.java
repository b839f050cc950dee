package io.drover.controller.auth;

import static io.drover.controller.testing.Tasks.task;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.drover.controller.Controller;
import io.drover.controller.testing.Api;
import io.drover.controller.testing.TestConfig;
import io.drover.shared.json.Json;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Browser sessions over real HTTP: login → cookie → CSRF on writes, logout, idle expiry, password change. */
class SessionTest {
    @TempDir
    Path dir;

    @Test
    void loginCookieCsrfAndLogout() throws Exception {
        try (Controller c = Controller.start(TestConfig.forTest(dir))) {
            String url = c.baseUrl();
            Caller anon = new Caller(url);
            String password = c.bootstrap().password();

            // one message for an unknown user and a wrong password
            Api.Res unknown = anon.post("/auth/login", Json.object().put("username", "nobody").put("password", password));
            Api.Res wrong = anon.post("/auth/login", Json.object().put("username", "admin").put("password", "wrong password!"));
            assertThat(List.of(unknown.status(), wrong.status())).containsOnly(401);
            assertThat(unknown.errorMessage()).isEqualTo(wrong.errorMessage());

            HttpResponse<String> login = anon.exchange("POST", "/auth/login",
                    Json.write(Json.object().put("username", "admin").put("password", password)));
            assertThat(login.statusCode()).isEqualTo(200);
            String setCookie = login.headers().firstValue("Set-Cookie").orElseThrow();
            assertThat(setCookie).startsWith(Sessions.COOKIE + "=").containsIgnoringCase("HttpOnly").contains("SameSite=Strict").contains("Path=/")
                    .doesNotContain("Secure"); // no TLS here
            JsonNode body = Json.parse(login.body());
            String csrf = body.path("csrfToken").asText();
            assertThat(csrf).isNotBlank();
            assertThat(body.path("user").path("username").asText()).isEqualTo("admin");
            assertThat(body.toString()).doesNotContain("passwordHash");

            Caller browser = anon.with("Cookie", setCookie.substring(0, setCookie.indexOf(';')));
            JsonNode me = browser.ok("GET", "/auth/me", null);
            assertThat(me.path("username").asText()).isEqualTo("admin");
            assertThat(me.path("admin").asBoolean()).isTrue();
            // a new browser tab on the same session gets the token from /auth/me (same-origin only)
            assertThat(me.path("csrfToken").asText()).isEqualTo(csrf);

            // state-changing requests with the cookie need the CSRF header
            Api.Res noCsrf = browser.post("/tasks", task("t"));
            assertThat(noCsrf.status()).isEqualTo(403);
            assertThat(noCsrf.errorMessage()).contains(Access.CSRF_HEADER);
            assertThat(browser.with(Access.CSRF_HEADER, "not-the-token").post("/tasks", task("t")).status()).isEqualTo(403);
            Caller withCsrf = browser.with(Access.CSRF_HEADER, csrf);
            assertThat(withCsrf.post("/tasks", task("t")).status()).isEqualTo(201);
            // reads need no CSRF header
            assertThat(browser.get("/tasks").status()).isEqualTo(200);

            assertThat(browser.post("/auth/logout", Json.object()).status()).as("logout is state-changing too").isEqualTo(403);
            assertThat(withCsrf.post("/auth/logout", Json.object()).status()).isEqualTo(204);
            assertThat(browser.get("/auth/me").status()).isEqualTo(401);
            assertThat(withCsrf.post("/tasks", task("t")).status()).isEqualTo(401);
        }
    }

    @Test
    void idleSessionsExpire() throws Exception {
        try (Controller c = Controller.start(TestConfig.forTest(dir).withSessionTtl(Duration.ofSeconds(1)))) {
            Caller browser = login(c, "admin", c.bootstrap().password());
            assertThat(browser.get("/auth/me").status()).isEqualTo(200);
            Thread.sleep(2500);
            assertThat(browser.get("/auth/me").status()).isEqualTo(401);
        }
    }

    @Test
    void passwordChangeNeedsTheOldOneAndEndsOtherSessions() throws Exception {
        try (Controller c = Controller.start(TestConfig.forTest(dir))) {
            Caller admin = Caller.key(c.baseUrl(), c.bootstrap().adminKey());
            String first = "first password 123";
            admin.ok("POST", "/users", Json.object().put("username", "ann").put("password", first));
            Caller other = login(c, "ann", first);
            Caller again = loginWithCsrf(c, "ann", first);
            assertThat(again.post("/auth/password", Json.object().put("oldPassword", "wrong one!!!!").put("newPassword", "second password 456"))
                    .status()).isEqualTo(403);
            assertThat(again.post("/auth/password", Json.object().put("oldPassword", first).put("newPassword", "short")).status())
                    .isEqualTo(400);
            assertThat(again.post("/auth/password", Json.object().put("oldPassword", first).put("newPassword", "second password 456"))
                    .status()).isEqualTo(204);
            assertThat(again.get("/auth/me").status()).as("the session that changed it stays").isEqualTo(200);
            assertThat(other.get("/auth/me").status()).as("other sessions end").isEqualTo(401);
            assertThat(new Caller(c.baseUrl()).post("/auth/login", Json.object().put("username", "ann").put("password", first)).status())
                    .isEqualTo(401);
            login(c, "ann", "second password 456");
        }
    }

    static Caller login(Controller c, String user, String password) throws Exception {
        HttpResponse<String> r = new Caller(c.baseUrl()).exchange("POST", "/auth/login",
                Json.write(Json.object().put("username", user).put("password", password)));
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        String cookie = r.headers().firstValue("Set-Cookie").orElseThrow();
        return new Caller(c.baseUrl()).with("Cookie", cookie.substring(0, cookie.indexOf(';')));
    }

    static Caller loginWithCsrf(Controller c, String user, String password) throws Exception {
        HttpResponse<String> r = new Caller(c.baseUrl()).exchange("POST", "/auth/login",
                Json.write(Json.object().put("username", user).put("password", password)));
        String cookie = r.headers().firstValue("Set-Cookie").orElseThrow();
        return new Caller(c.baseUrl()).with("Cookie", cookie.substring(0, cookie.indexOf(';')))
                .with(Access.CSRF_HEADER, Json.parse(r.body()).path("csrfToken").asText());
    }
}

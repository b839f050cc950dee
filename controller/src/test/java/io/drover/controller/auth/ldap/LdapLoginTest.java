package io.drover.controller.auth.ldap;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.unboundid.ldap.listener.InMemoryDirectoryServer;
import io.drover.controller.Controller;
import io.drover.controller.ControllerMain;
import io.drover.controller.testing.Api;
import io.drover.controller.testing.TestConfig;
import io.drover.shared.json.Json;
import java.net.URI;
import java.net.http.HttpRequest;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** LDAP login through {@code POST /auth/login} of a real controller (auth on), against a real directory. */
class LdapLoginTest {
    @TempDir
    Path dir;

    static InMemoryDirectoryServer ds;
    static LdapConfig ldap;
    /** One per test: the login throttle counts failures per controller. */
    static Controller controller;

    @BeforeAll
    static void directory() throws Exception {
        ds = TestDirectory.start();
        ControllerMain main = new ControllerMain();
        // the same flags a user types; the config is what ControllerMain would start with
        new CommandLine(main).parseArgs("--ldap-url", TestDirectory.url(ds), "--ldap-bind-dn", TestDirectory.SERVICE_DN,
                "--ldap-bind-password", TestDirectory.SERVICE_PASSWORD, "--ldap-user-base", TestDirectory.PEOPLE,
                "--ldap-group-base", TestDirectory.GROUPS, "--ldap-group-role", "vision-leads=owner:vision",
                "--ldap-group-role", "cn=ml-team," + TestDirectory.GROUPS + "=member:nlp", "--ldap-group-role", "admins=admin");
        ldap = main.config().ldap();
        assertThat(main.config().describe()).contains("ldap=[url=" + TestDirectory.url(ds)).doesNotContain(TestDirectory.SERVICE_PASSWORD);
    }

    @BeforeEach
    void start() throws Exception {
        controller = Controller.start(TestConfig.forTest(dir).withLdap(ldap));
    }

    @AfterEach
    void stop() {
        if (controller != null) controller.close();
    }

    @AfterAll
    static void stopDirectory() {
        if (ds != null) ds.shutDown(true);
    }

    static Api.Res login(String user, String password) {
        return post("/auth/login", Json.write(Json.object().put("username", user).put("password", password)), null);
    }

    static Api.Res post(String path, String body, String cookie) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(controller.baseUrl() + "/api/v1" + path))
                .timeout(Duration.ofSeconds(30)).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body));
        if (cookie != null) b.header("Cookie", cookie);
        return new Api(controller.baseUrl()).send(b.build());
    }

    static JsonNode me(String user, String password) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(controller.baseUrl() + "/api/v1/auth/login"))
                .timeout(Duration.ofSeconds(30)).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(Json.write(Json.object().put("username", user).put("password", password))));
        var http = java.net.http.HttpClient.newHttpClient();
        var r = http.send(b.build(), java.net.http.HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        String cookie = r.headers().firstValue("set-cookie").orElseThrow().split(";", 2)[0];
        var m = http.send(HttpRequest.newBuilder(URI.create(controller.baseUrl() + "/api/v1/auth/me")).header("Cookie", cookie).GET().build(),
                java.net.http.HttpResponse.BodyHandlers.ofString());
        assertThat(m.statusCode()).as(m.body()).isEqualTo(200);
        return Json.parse(m.body());
    }

    @Test
    void directoryUsersLogInWithTheirGroupsRoles() throws Exception {
        JsonNode alice = me("alice", "alice-pass-123");
        assertThat(alice.path("username").asText()).isEqualTo("alice");
        assertThat(alice.path("displayName").asText()).isEqualTo("Alice Liddell");
        assertThat(alice.path("admin").asBoolean()).isFalse();
        assertThat(Json.MAPPER.convertValue(alice.path("roles"), Map.class)).isEqualTo(Map.of("vision", "owner", "nlp", "member"));
        JsonNode bob = me("bob", "bob-pass-123");
        assertThat(bob.path("admin").asBoolean()).isTrue();
        JsonNode carol = me("carol", "carol-pass-123");
        assertThat(carol.path("roles").size()).isZero();
    }

    @Test
    void leavingAGroupTakesItsRoleAwayAtTheNextLoginButHandMadeGrantsStay() throws Exception {
        assertThat(me("alice", "alice-pass-123").path("roles").path("vision").asText()).isEqualTo("owner");
        new io.drover.controller.auth.Members(controller.services().store().db().getCollection("members"))
                .put("manual", "alice", io.drover.controller.auth.Role.VIEWER);
        String group = "cn=vision-leads," + TestDirectory.GROUPS;
        ds.modify("dn: " + group, "changetype: modify", "add: member", "member: uid=carol," + TestDirectory.PEOPLE);
        ds.modify("dn: " + group, "changetype: modify", "delete: member", "member: uid=alice," + TestDirectory.PEOPLE);
        try {
            assertThat(Json.MAPPER.convertValue(me("alice", "alice-pass-123").path("roles"), Map.class))
                    .isEqualTo(Map.of("nlp", "member", "manual", "viewer"));
        } finally {
            ds.modify("dn: " + group, "changetype: modify", "add: member", "member: uid=alice," + TestDirectory.PEOPLE);
            ds.modify("dn: " + group, "changetype: modify", "delete: member", "member: uid=carol," + TestDirectory.PEOPLE);
        }
    }

    @Test
    void wrongEmptyOrInjectedCredentialsAre401() {
        // four failures: the login throttle (5 per IP) stays out of the way
        for (String[] c : new String[][] {{"alice", "wrong"}, {"alice", ""}, {"*)(uid=*", "alice-pass-123"}, {"*", "x-1234567"}}) {
            Api.Res r = login(c[0], c[1]);
            assertThat(r.status()).as(c[0] + " / " + c[1] + ": " + r.body()).isIn(400, 401);
        }
        assertThat(login("al*", "alice-pass-123").status()).isEqualTo(401);
    }
}

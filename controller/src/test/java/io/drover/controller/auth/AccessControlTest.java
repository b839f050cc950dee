package io.drover.controller.auth;

import static io.drover.controller.testing.Tasks.task;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.drover.controller.Controller;
import io.drover.controller.testing.Api;
import io.drover.controller.testing.TestConfig;
import io.drover.shared.json.Json;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Access control over real HTTP with auth ON: 401 without credentials, the role matrix (admin,
 * owner, member, viewer, no role, worker key × representative routes), filtered listings,
 * revocation at once, and the agent credential that only reaches the task it holds the lease of.
 */
class AccessControlTest {
    static final String PASSWORD = "correct horse battery staple";

    @TempDir
    static Path dir;
    static Controller controller;
    static String url;
    static Caller admin;
    static Caller owner;
    static Caller member;
    static Caller viewer;
    static Caller stranger;
    static Caller worker;
    static String sharedTask;

    @BeforeAll
    static void start() throws Exception {
        controller = Controller.start(TestConfig.forTest(dir));
        url = controller.baseUrl();
        assertThat(controller.bootstrap()).as("first start with auth on creates the admin").isNotNull();
        admin = Caller.key(url, controller.bootstrap().adminKey());
        owner = user("olivia");
        member = user("max");
        viewer = user("vera");
        stranger = user("sam");
        worker = Caller.key(url, admin.ok("POST", "/keys", Json.object().put("kind", "worker").put("name", "agent")).path("key").asText());
        // the creator of a project (implicitly, by its first task) becomes its owner
        sharedTask = owner.ok("POST", "/tasks", task("shared").put("project", "p1")).path("id").asText();
        owner.ok("PUT", "/projects/p1/members/max", Json.object().put("role", "member"));
        owner.ok("PUT", "/projects/p1/members/vera", Json.object().put("role", "viewer"));
    }

    static Caller user(String name) {
        admin.ok("POST", "/users", Json.object().put("username", name).put("password", PASSWORD));
        return Caller.key(url, admin.ok("POST", "/keys", Json.object().put("user", name).put("name", "test")).path("key").asText());
    }

    @AfterAll
    static void stop() {
        if (controller != null) controller.close();
    }

    // ---------------------------------------------------------------- 401

    @Test
    void noCredentialsIs401AndPublicRoutesStayOpen() {
        Caller anon = new Caller(url);
        for (String p : List.of("/tasks", "/tasks/" + sharedTask, "/projects", "/workers", "/auth/me", "/users")) {
            Api.Res r = anon.get(p);
            assertThat(r.status()).as(p).isEqualTo(401);
            assertThat(r.errorCode()).isEqualTo("unauthorized");
        }
        assertThat(anon.post("/tasks", task("x")).status()).isEqualTo(401);
        assertThat(anon.get("/health").status()).isEqualTo(200);
        assertThat(anon.get("!/health").status()).isEqualTo(200);
        assertThat(anon.get("/version").status()).isEqualTo(200);
        assertThat(anon.get("!/metrics").status()).isEqualTo(401);
    }

    @Test
    void unknownKeyAndWrongSecretGetTheSame401() {
        String real = controller.bootstrap().adminKey();
        String wrongSecret = real.substring(0, real.lastIndexOf('_') + 1) + "0".repeat(40);
        String unknownId = "drk_0123456789abcdef_" + "1".repeat(40);
        Api.Res a = Caller.key(url, wrongSecret).get("/tasks");
        Api.Res b = Caller.key(url, unknownId).get("/tasks");
        Api.Res c = Caller.key(url, "garbage").get("/tasks");
        assertThat(List.of(a.status(), b.status(), c.status())).containsOnly(401);
        assertThat(a.errorMessage()).isEqualTo(b.errorMessage()).isEqualTo(c.errorMessage());
    }

    @Test
    void anonymousBrowserIsSentToTheLoginPage() throws Exception {
        var r = new Caller(url).with("Accept", "text/html").exchange("GET", "!/", null);
        assertThat(r.statusCode()).isEqualTo(302);
        assertThat(r.headers().firstValue("Location")).contains(Access.LOGIN_PAGE);
        // a signed-in caller is sent on to the dashboard (a static page reading the API as them)
        var signedIn = admin.with("Accept", "text/html").exchange("GET", "!/", null);
        assertThat(signedIn.statusCode()).isEqualTo(302);
        assertThat(signedIn.headers().firstValue("Location")).contains("/ui/index.html");
    }

    // ---------------------------------------------------------------- role matrix

    record Row(String who, Caller c) {}

    static List<Row> everyone() {
        return List.of(new Row("admin", admin), new Row("owner", owner), new Row("member", member), new Row("viewer", viewer),
                new Row("none", stranger), new Row("worker", worker));
    }

    static Map<String, Integer> matrix(Function<Caller, Integer> call) {
        Map<String, Integer> m = new LinkedHashMap<>();
        for (Row r : everyone()) m.put(r.who(), call.apply(r.c()));
        return m;
    }

    @Test
    void readTask() {
        assertThat(matrix(c -> c.get("/tasks/" + sharedTask).status()))
                .containsExactlyEntriesOf(expect(200, 200, 200, 200, 403, 403));
        assertThat(matrix(c -> c.get("/tasks/" + sharedTask + "/logs").status()))
                .containsExactlyEntriesOf(expect(200, 200, 200, 200, 403, 403));
    }

    @Test
    void createTask() {
        assertThat(matrix(c -> c.post("/tasks", task("t").put("project", "p1")).status()))
                .containsExactlyEntriesOf(expect(201, 201, 201, 403, 403, 403));
    }

    @Test
    void enqueue() {
        assertThat(matrix(c -> c.post("/tasks/" + fresh() + "/enqueue", Json.object()).status()))
                .containsExactlyEntriesOf(expect(200, 200, 200, 403, 403, 403));
    }

    @Test
    void abort() {
        assertThat(matrix(c -> c.post("/tasks/" + fresh() + "/abort", Json.object()).status()))
                .containsExactlyEntriesOf(expect(200, 200, 200, 403, 403, 403));
    }

    @Test
    void manageMembers() {
        assertThat(matrix(c -> c.get("/projects/p1/members").status()))
                .containsExactlyEntriesOf(expect(200, 200, 403, 403, 403, 403));
        assertThat(matrix(c -> c.put("/projects/p1/members/sam", Json.object().put("role", "viewer")).status()))
                .containsExactlyEntriesOf(expect(200, 200, 403, 403, 403, 403));
        // put back: sam has no role in p1
        assertThat(owner.delete("/projects/p1/members/sam").status()).isEqualTo(200);
        assertThat(stranger.get("/tasks/" + sharedTask).status()).isEqualTo(403);
        // the last owner cannot be removed
        assertThat(owner.delete("/projects/p1/members/olivia").status()).isEqualTo(409);
    }

    @Test
    void listingsShowOnlyReadableProjects() {
        String mine = stranger.ok("POST", "/tasks", task("private").put("project", "sams-project")).path("id").asText();
        assertThat(ids(stranger.ok("GET", "/tasks?limit=500", null))).contains(mine).doesNotContain(sharedTask);
        assertThat(stranger.ok("GET", "/tasks?project=p1", null).path("total").asLong()).isZero();
        assertThat(ids(viewer.ok("GET", "/tasks?limit=500", null))).contains(sharedTask).doesNotContain(mine);
        assertThat(ids(owner.ok("GET", "/tasks?limit=500", null))).contains(sharedTask).doesNotContain(mine);
        assertThat(ids(admin.ok("GET", "/tasks?limit=500", null))).contains(sharedTask, mine);
        assertThat(ids(worker.ok("GET", "/tasks", null))).isEmpty();
        assertThat(names(stranger.ok("GET", "/projects", null))).containsExactly("sams-project");
        assertThat(names(viewer.ok("GET", "/projects", null))).containsExactly("p1");
        assertThat(names(admin.ok("GET", "/projects", null))).contains("p1", "sams-project");
        // the stranger's project is theirs: they own it, the owner of p1 cannot read it
        assertThat(stranger.ok("GET", "/auth/me", null).path("roles").path("sams-project").asText()).isEqualTo("owner");
        assertThat(owner.get("/tasks/" + mine).status()).isEqualTo(403);
        // the dashboard's experiments table asks the same API with filters: still only readable tasks
        assertThat(ids(stranger.ok("GET", "/tasks?q=private&status=created,queued", null))).containsExactly(mine);
        assertThat(ids(owner.ok("GET", "/tasks?q=private", null))).isEmpty();
        assertThat(ids(owner.ok("GET", "/tasks?ids=" + mine + "," + sharedTask, null))).containsExactly(sharedTask);
    }

    @Test
    void projectCreatorBecomesOwner() {
        assertThat(member.post("/projects", Json.object().put("name", "maxs")).status()).isEqualTo(201);
        assertThat(member.ok("GET", "/projects/maxs/members", null).path("items").get(0).path("role").asText()).isEqualTo("owner");
        assertThat(viewer.post("/tasks", task("t").put("project", "maxs")).status()).isEqualTo(403);
        // an existing project someone else owns cannot be "created" again to gain a role
        assertThat(viewer.post("/projects", Json.object().put("name", "p1")).status()).isEqualTo(403);
    }

    // ---------------------------------------------------------------- keys

    @Test
    void revokedKeyStopsWorkingAtOnce() {
        JsonNode k = admin.ok("POST", "/keys", Json.object().put("user", "max").put("name", "short-lived"));
        Caller c = Caller.key(url, k.path("key").asText());
        assertThat(c.get("/auth/me").status()).isEqualTo(200);
        assertThat(c.delete("/keys/" + k.path("id").asText()).status()).isEqualTo(200);
        Api.Res after = c.get("/auth/me");
        assertThat(after.status()).isEqualTo(401);
        assertThat(admin.ok("GET", "/keys?user=max", null).toString()).contains("\"revoked\":true");
    }

    @Test
    void keysAreOwnUnlessAdmin() {
        assertThat(member.post("/keys", Json.object().put("kind", "worker")).status()).isEqualTo(403);
        assertThat(member.post("/keys", Json.object().put("user", "vera")).status()).isEqualTo(403);
        assertThat(member.get("/keys?user=vera").status()).isEqualTo(403);
        JsonNode own = member.ok("POST", "/keys", Json.object().put("name", "laptop"));
        assertThat(own.path("key").asText()).matches("drk_[0-9a-f]{16}_[0-9a-f]{40}");
        assertThat(Caller.key(url, own.path("key").asText()).get("/auth/me").status()).isEqualTo(200);
        JsonNode list = member.ok("GET", "/keys", null);
        JsonNode listed = null;
        for (JsonNode k : list.path("items")) if (k.path("id").asText().equals(own.path("id").asText())) listed = k;
        assertThat(listed).isNotNull();
        assertThat(listed.path("lastUsedAt").isTextual()).as("last use is recorded").isTrue();
        assertThat(list.toString()).contains(own.path("id").asText()).doesNotContain(own.path("key").asText())
                .doesNotContain("secretHash");
        String veraKey = admin.ok("GET", "/keys?user=vera", null).path("items").get(0).path("id").asText();
        assertThat(member.delete("/keys/" + veraKey).status()).isEqualTo(404);
        assertThat(member.get("/users").status()).isEqualTo(403);
        assertThat(admin.get("/users").status()).isEqualTo(200);
    }

    // ---------------------------------------------------------------- the agent credential

    @Test
    void workerKeyReachesOnlyTheTaskItHoldsTheLeaseOf() {
        assertThat(worker.post("/workers", Json.object().put("name", "w1").put("hostname", "h").put("pid", 1).put("version", "t")
                .set("queues", Json.MAPPER.createArrayNode().add("lq"))).status()).isEqualTo(200);
        assertThat(member.post("/workers", Json.object().put("name", "w2")).status()).as("a user key cannot register").isEqualTo(403);
        String held = owner.ok("POST", "/tasks", task("held").put("project", "p1").put("queue", "lq").put("enqueue", true)).path("id").asText();
        JsonNode claim = worker.ok("POST", "/workers/w1/claim", Json.object().put("wait", 0).set("queues", Json.MAPPER.createArrayNode().add("lq")));
        assertThat(claim.path("task").path("id").asText()).isEqualTo(held);
        String token = claim.path("lease").path("token").asText();
        long epoch = claim.path("lease").path("epoch").asLong();
        String other = owner.ok("POST", "/tasks", task("other").put("project", "p1")).path("id").asText();

        Caller noLease = worker;
        Caller wrongLease = worker.with(Access.LEASE_HEADER, "0".repeat(48));
        Caller withLease = worker.with(Access.LEASE_HEADER, token);
        // reads of the task it runs
        assertThat(noLease.get("/tasks/" + held).status()).isEqualTo(403);
        assertThat(wrongLease.get("/tasks/" + held).status()).isEqualTo(403);
        assertThat(withLease.get("/tasks/" + held).status()).isEqualTo(200);
        assertThat(withLease.get("/tasks/" + other).status()).as("the token of one task does not open another").isEqualTo(403);
        // writes
        assertThat(noLease.post("/tasks/" + held + "/report", Json.object().put("epoch", epoch)).status()).isEqualTo(403);
        assertThat(wrongLease.post("/tasks/" + held + "/logs", Json.object().put("epoch", epoch).put("batch", 1)
                .set("lines", Json.MAPPER.createArrayNode())).status()).isEqualTo(403);
        assertThat(withLease.post("/tasks/" + held + "/report", Json.object().put("epoch", epoch)).status()).isEqualTo(200);
        assertThat(withLease.post("/tasks/" + held + "/logs", Json.object().put("epoch", epoch).put("batch", 1)
                .set("lines", Json.MAPPER.createArrayNode().add(Json.object().put("ts", "2026-01-01T00:00:00Z")
                        .put("stream", "stdout").put("text", "hello")))).status()).isEqualTo(200);
        // a streamed upload behind the (asynchronous) access check arrives whole
        String big = "x".repeat(3 << 20);
        Api.Res up = withLease.send("PUT", "/tasks/" + held + "/artifacts/model.txt?epoch=" + epoch, big);
        assertThat(up.status()).as(up.body()).isEqualTo(201);
        assertThat(up.json().path("size").asLong()).isEqualTo(big.length());
        assertThat(noLease.send("PUT", "/tasks/" + held + "/artifacts/evil.txt?epoch=" + epoch, "x").status()).isEqualTo(403);
        assertThat(owner.get("/tasks/" + held + "/logs").body()).contains("hello");
        assertThat(withLease.post("/tasks/" + other + "/finish", Json.object().put("epoch", 0).put("status", "failed")).status()).isEqualTo(403);
        assertThat(member.post("/tasks/" + held + "/report", Json.object().put("epoch", epoch)).status())
                .as("agent writes need a worker key").isEqualTo(403);
        // worker keys cannot use user routes
        assertThat(withLease.post("/tasks/" + held + "/abort", Json.object()).status()).isEqualTo(403);
        assertThat(worker.post("/tasks", task("x").put("project", "p1")).status()).isEqualTo(403);
        assertThat(worker.post("/projects", Json.object().put("name", "wp")).status()).isEqualTo(403);
        assertThat(withLease.post("/tasks/" + held + "/finish", Json.object().put("epoch", epoch).put("status", "completed").put("exitCode", 0))
                .status()).isEqualTo(200);
        // once finished the lease is gone: the old token opens nothing
        assertThat(withLease.get("/tasks/" + held).status()).isEqualTo(403);
    }

    // ---------------------------------------------------------------- helpers

    /** A new task in p1 (created by the owner) for one state change. */
    static String fresh() {
        return owner.ok("POST", "/tasks", task("fresh").put("project", "p1")).path("id").asText();
    }

    static Map<String, Integer> expect(int admin, int owner, int member, int viewer, int none, int worker) {
        Map<String, Integer> m = new LinkedHashMap<>();
        m.put("admin", admin);
        m.put("owner", owner);
        m.put("member", member);
        m.put("viewer", viewer);
        m.put("none", none);
        m.put("worker", worker);
        return m;
    }

    static List<String> ids(JsonNode page) {
        List<String> out = new ArrayList<>();
        page.path("items").forEach(t -> out.add(t.path("id").asText()));
        return out;
    }

    static List<String> names(JsonNode page) {
        List<String> out = new ArrayList<>();
        page.path("items").forEach(t -> out.add(t.path("name").asText()));
        return out;
    }
}

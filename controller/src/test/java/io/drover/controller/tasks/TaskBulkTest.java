package io.drover.controller.tasks;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.drover.controller.testing.Api;
import io.drover.controller.testing.ProjectRoles;
import io.drover.shared.json.Json;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** POST /tasks/bulk with auth on: WRITE per task, one result per id, audited like the single actions. */
class TaskBulkTest {
    @TempDir
    static Path dir;
    static ProjectRoles roles;

    @BeforeAll
    static void start() throws Exception {
        roles = ProjectRoles.start(dir);
    }

    @AfterAll
    static void stop() {
        roles.close();
    }

    static String create(String name, String project, String key) {
        ObjectNode b = Json.object().put("name", name).put("project", project);
        b.putObject("script").put("repo", "https://example.com/r.git").put("entryPoint", "train.py");
        Api.Res r = roles.call("POST", "/tasks", b, key);
        assertThat(r.status()).as(r.body()).isEqualTo(201);
        return r.json().path("id").asText();
    }

    static ObjectNode bulk(String action, String... ids) {
        ObjectNode b = Json.object().put("action", action);
        for (String id : ids) b.withArray("ids").add(id);
        return b;
    }

    static JsonNode result(JsonNode res, String id) {
        for (JsonNode r : res.path("results")) if (r.path("id").asText().equals(id)) return r;
        throw new AssertionError("no result for " + id + " in " + res);
    }

    @Test
    void mixedPermissionsGiveOneResultPerTask() throws Exception {
        String max = roles.keys().get("max");
        String mine = create("bulk-mine", "p1", max);            // max is a member of p1
        String other = create("bulk-other", "bulk-sam", roles.keys().get("sam")); // sam's own project
        String unknown = "0123456789abcdef01234567";
        Api.Res r = roles.call("POST", "/tasks/bulk", bulk("archive", mine, roles.task, other, unknown), max);
        assertThat(r.status()).as(r.body()).isEqualTo(200);
        assertThat(r.json().path("ok").asInt()).isEqualTo(2);
        assertThat(r.json().path("failed").asInt()).isEqualTo(2);
        assertThat(result(r.json(), mine).path("ok").asBoolean()).isTrue();
        assertThat(result(r.json(), roles.task).path("ok").asBoolean()).isTrue();
        assertThat(result(r.json(), other).path("error").path("code").asText()).isEqualTo("forbidden");
        assertThat(result(r.json(), other).path("error").path("message").asText()).contains("bulk-sam");
        assertThat(result(r.json(), unknown).path("error").path("code").asText()).isEqualTo("not_found");
        assertThat(roles.call("GET", "/tasks/" + mine, null, max).json().path("archived").asBoolean()).isTrue();
        assertThat(roles.call("GET", "/tasks/" + other, null, roles.keys().get("sam")).json().path("archived").asBoolean()).isFalse();
        // the archived tasks leave the default listing at once
        assertThat(roles.call("GET", "/tasks?project=p1", null, max).json().path("total").asInt()).isZero();

        // a viewer may not write: every result forbidden, nothing done
        Api.Res v = roles.call("POST", "/tasks/bulk", bulk("unarchive", mine), roles.keys().get("vera"));
        assertThat(v.status()).isEqualTo(200);
        assertThat(v.json().path("failed").asInt()).isEqualTo(1);
        assertThat(result(v.json(), mine).path("error").path("code").asText()).isEqualTo("forbidden");
        // anonymous: 401 before anything
        assertThat(roles.call("POST", "/tasks/bulk", bulk("archive", mine), null).status()).isEqualTo(401);

        // audited like POST /tasks/{id}/archive: the caller, per task
        List<String> entries = awaitAudit(mine, "task.archive");
        assertThat(entries).contains("task.archive by max: ok");
        List<String> forbidden = awaitAudit(other, null);
        assertThat(forbidden).as("a refused task is not acted on, so not audited").isEmpty();
    }

    @Test
    void everyActionWorksAndWrongRequestsAreRefused() {
        String olivia = roles.keys().get("olivia");
        String a = create("bulk-a", "p1", olivia);
        String b = create("bulk-b", "p1", olivia);
        ObjectNode tag = bulk("tag", a, b);
        tag.putArray("tags").add("sweep").add("v2");
        assertThat(roles.call("POST", "/tasks/bulk", tag, olivia).json().path("ok").asInt()).isEqualTo(2);
        assertThat(roles.call("GET", "/tasks?project=p1&tag=sweep,v2", null, olivia).json().path("total").asInt()).isEqualTo(2);
        ObjectNode untag = bulk("untag", a);
        untag.putArray("tags").add("v2");
        roles.call("POST", "/tasks/bulk", untag, olivia);
        assertThat(roles.call("GET", "/tasks/" + a, null, olivia).json().path("tags").toString()).isEqualTo("[\"sweep\"]");

        ObjectNode enq = bulk("enqueue", a, b);
        enq.put("queue", "bulkq");
        assertThat(roles.call("POST", "/tasks/bulk", enq, olivia).json().path("ok").asInt()).isEqualTo(2);
        JsonNode queued = roles.call("GET", "/tasks?project=p1&status=queued&queue=bulkq", null, olivia).json();
        assertThat(queued.path("total").asInt()).isEqualTo(2);
        assertThat(roles.call("POST", "/tasks/bulk", bulk("dequeue", b), olivia).json().path("ok").asInt()).isEqualTo(1);
        // a is queued, b is created again: abort both; enqueue of an aborted one then conflicts, per task
        assertThat(roles.call("POST", "/tasks/bulk", bulk("abort", a, b), olivia).json().path("ok").asInt()).isEqualTo(2);
        JsonNode again = roles.call("POST", "/tasks/bulk", bulk("abort", a), olivia).json();
        assertThat(result(again, a).path("error").path("code").asText()).isEqualTo("conflict");
        assertThat(roles.call("GET", "/tasks?project=p1&status=aborted", null, olivia).json().path("total").asInt()).isEqualTo(2);

        assertThat(roles.call("POST", "/tasks/bulk", bulk("explode", a), olivia).json().path("error").path("message").asText())
                .contains("'action' must be one of");
        assertThat(roles.call("POST", "/tasks/bulk", Json.object().put("action", "abort"), olivia).status()).isEqualTo(400);
        assertThat(roles.call("POST", "/tasks/bulk", bulk("tag", a), olivia).json().path("error").path("message").asText())
                .contains("'tags' is required");
        String[] many = new String[501];
        for (int i = 0; i < many.length; i++) many[i] = String.format("%024x", i);
        assertThat(roles.call("POST", "/tasks/bulk", bulk("archive", many), olivia).json().path("error").path("message").asText())
                .contains("at most 500");
        assertThat(roles.call("POST", "/tasks/bulk", bulk("archive", "nope"), olivia).status()).isEqualTo(400);
    }

    /** Audit entries on {@code target} (optionally of one action) as "action by actor: outcome", waiting for the async writer. */
    static List<String> awaitAudit(String target, String action) throws InterruptedException {
        List<String> out = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            out.clear();
            for (JsonNode e : roles.call("GET", "/audit?limit=1000", null, roles.admin).json().path("items")) {
                if (e.path("target").asText().equals(target) && (action == null || e.path("action").asText().equals(action))) {
                    out.add(e.path("action").asText() + " by " + e.path("actor").asText() + ": " + e.path("outcome").asText());
                }
            }
            if (!out.isEmpty() || action == null && i > 5) return out;
            Thread.sleep(100);
        }
        return out;
    }
}

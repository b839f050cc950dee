package io.drover.controller.tasks;

import static io.drover.controller.testing.Tasks.task;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.drover.controller.Controller;
import io.drover.controller.testing.Api;
import io.drover.controller.testing.TestConfig;
import io.drover.shared.json.Json;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** GET /tasks served from the in-memory index: filters, sorts, paging, and the index following writes. */
class TaskListingTest {
    @TempDir
    static Path dir;
    static Controller controller;
    static Api api;
    /** Ids by name of the fixture tasks in project "lst". */
    static final java.util.Map<String, String> ids = new java.util.LinkedHashMap<>();

    @BeforeAll
    static void start() throws Exception {
        controller = Controller.start(TestConfig.forTest(dir).withAuth(false));
        api = new Api(controller.baseUrl());
        String[] lrs = {"0.1", "0.01", "1e-3", "big", null, "2"};
        for (int i = 0; i < 12; i++) {
            ObjectNode b = task((i % 3 == 0 ? "Alpha-" : "beta-") + i).put("project", "lst").put("queue", i % 2 == 0 ? "qa" : "qb");
            String lr = lrs[i % lrs.length];
            if (lr != null) b.putObject("params").put("lr", lr);
            var tags = b.putArray("tags");
            if (i % 2 == 0) tags.add("even");
            if (i % 3 == 0) tags.add("third");
            ids.put("t" + i, api.ok("/tasks", b).path("id").asText());
        }
        // last values of a metric for half the tasks (the others lack it and sort last)
        for (int i = 0; i < 12; i += 2) {
            ObjectNode s = Json.object();
            s.putArray("points").addObject().put("metric", "loss").put("variant", "train").put("iter", 1).put("value", 10 - i);
            api.ok("/tasks/" + ids.get("t" + i) + "/scalars/user", s);
        }
        api.ok("/tasks/" + ids.get("t1") + "/enqueue", Json.object());
        api.ok("/tasks/" + ids.get("t2") + "/abort", Json.object());
    }

    @AfterAll
    static void stop() {
        controller.close();
    }

    static List<String> names(String query) {
        List<String> out = new ArrayList<>();
        api.okGet("/tasks?project=lst&limit=500&" + query).path("items").forEach(t -> out.add(t.path("name").asText()));
        return out;
    }

    static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }

    @Test
    void statusTagUserQueueAndTextFilters() {
        assertThat(names("status=queued,aborted")).containsExactlyInAnyOrder("beta-1", "beta-2");
        assertThat(names("status=created")).hasSize(10);
        // tags: all of
        assertThat(names("tag=even,third")).containsExactlyInAnyOrder("Alpha-0", "Alpha-6");
        assertThat(names("tag=even")).hasSize(6);
        assertThat(names("user=local")).hasSize(12);
        assertThat(names("user=nobody")).isEmpty();
        assertThat(names("queue=qb&status=created")).hasSize(5);
        // q: case-insensitive substring of the name, or an id prefix
        assertThat(names("q=ALPHA")).containsExactlyInAnyOrder("Alpha-0", "Alpha-3", "Alpha-6", "Alpha-9");
        assertThat(names("q=a-1")).containsExactlyInAnyOrder("beta-1", "beta-10", "beta-11");
        String id5 = ids.get("t5");
        assertThat(names("q=" + id5.substring(0, 20))).containsExactly("beta-5");
        // ids: exactly those (compare page), in the requested sort
        assertThat(names("ids=" + ids.get("t3") + "," + ids.get("t4") + "&sort=name")).containsExactly("Alpha-3", "beta-4");
        JsonNode t = api.okGet("/tasks?project=lst&limit=1").path("items").get(0);
        assertThat(t.path("user").asText()).isEqualTo("local");
        assertThat(t.has("script")).as("full task JSON per item").isTrue();
    }

    @Test
    void sortsByUserQueueParamsAndMetricsWithMissingLast() {
        // numbers compare as numbers (1e-3 < 0.01 < 0.1 < 2), then text, then tasks without the param
        List<String> byLr = names("sort=" + enc("params.lr"));
        assertThat(byLr.subList(0, 2)).containsExactlyInAnyOrder("beta-2", "beta-8");   // 1e-3
        assertThat(byLr.subList(2, 4)).containsExactlyInAnyOrder("beta-1", "beta-7");   // 0.01
        assertThat(byLr.subList(4, 6)).containsExactlyInAnyOrder("Alpha-0", "Alpha-6"); // 0.1
        assertThat(byLr.subList(6, 8)).containsExactlyInAnyOrder("beta-5", "beta-11");  // 2
        assertThat(byLr.subList(8, 10)).containsExactlyInAnyOrder("Alpha-3", "Alpha-9"); // "big"
        assertThat(byLr.subList(10, 12)).containsExactlyInAnyOrder("beta-4", "beta-10"); // none
        List<String> byLrDesc = names("sort=-params.lr");
        assertThat(byLrDesc.subList(10, 12)).as("missing last also descending").containsExactlyInAnyOrder("beta-4", "beta-10");
        assertThat(byLrDesc.subList(0, 2)).containsExactlyInAnyOrder("beta-5", "beta-11");

        List<String> byLoss = names("sort=" + enc("metrics.loss/train"));
        assertThat(byLoss.subList(0, 6)).containsExactly("beta-10", "beta-8", "Alpha-6", "beta-4", "beta-2", "Alpha-0");
        List<String> byLossDesc = names("sort=-" + enc("metrics.loss/train"));
        assertThat(byLossDesc.subList(0, 6)).containsExactly("Alpha-0", "beta-2", "beta-4", "Alpha-6", "beta-8", "beta-10");
        assertThat(byLossDesc.subList(6, 12)).allMatch(n -> Integer.parseInt(n.replaceAll("\\D", "")) % 2 == 1);

        List<String> byQueue = names("sort=queue");
        assertThat(byQueue.subList(0, 6)).allMatch(n -> Integer.parseInt(n.replaceAll("\\D", "")) % 2 == 0);
        assertThat(names("sort=user")).hasSize(12);
        assertThat(api.get("/tasks?sort=metrics.").status()).isEqualTo(400);
        assertThat(api.get("/tasks?sort=bogus").errorMessage()).contains("metrics.<series>");
        assertThat(api.get("/tasks?ids=nope").status()).isEqualTo(400);
        assertThat(api.get("/tasks?status=queued,bogus").status()).isEqualTo(400);
        assertThat(api.get("/tasks?what=1").errorMessage()).contains("unknown query parameter 'what'");
    }

    @Test
    void pagesNeverOverlapOrSkip() {
        for (String sort : List.of("-createdAt", "createdAt", "name", "status", "params.lr", "-" + enc("metrics.loss/train"), "queue", "-priority")) {
            List<String> seen = new ArrayList<>();
            for (int offset = 0; offset < 12; offset += 5) {
                JsonNode page = api.okGet("/tasks?project=lst&limit=5&offset=" + offset + "&sort=" + sort);
                assertThat(page.path("total").asInt()).isEqualTo(12);
                page.path("items").forEach(t -> seen.add(t.path("id").asText()));
            }
            assertThat(seen).as("sort " + sort).doesNotHaveDuplicates().containsExactlyInAnyOrderElementsOf(ids.values());
        }
    }

    @Test
    void theIndexFollowsWrites() {
        String id = api.ok("/tasks", task("follow").put("project", "follow")).path("id").asText();
        assertThat(api.okGet("/tasks?project=follow&status=created").path("total").asInt()).isEqualTo(1);
        api.ok("/tasks/" + id + "/enqueue", Json.object());
        assertThat(api.okGet("/tasks?project=follow&status=queued").path("total").asInt()).isEqualTo(1);
        assertThat(api.okGet("/tasks?project=follow&status=created").path("total").asInt()).isZero();
        Api.Res patched = api.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create(controller.baseUrl() + "/api/v1/tasks/" + id))
                .header("Content-Type", "application/json")
                .method("PATCH", java.net.http.HttpRequest.BodyPublishers.ofString("{\"addTags\":[\"hot\"]}")).build());
        assertThat(patched.status()).isEqualTo(200);
        assertThat(api.okGet("/tasks?project=follow&tag=hot").path("total").asInt()).isEqualTo(1);
        api.ok("/tasks/" + id + "/abort", Json.object());
        assertThat(names("").size()).isEqualTo(12); // other project untouched
        JsonNode aborted = api.okGet("/tasks?project=follow&status=aborted");
        assertThat(aborted.path("items").get(0).path("status").asText()).isEqualTo("aborted");
        api.ok("/tasks/" + id + "/archive", Json.object());
        assertThat(api.okGet("/tasks?project=follow").path("total").asInt()).isZero();
        assertThat(api.okGet("/tasks?project=follow&archived=true").path("total").asInt()).isEqualTo(1);
        // a clone belongs to whoever cloned it and is listed at once
        String clone = api.ok("/tasks/" + id + "/clone", Json.object().put("name", "follow-clone")).path("id").asText();
        assertThat(api.okGet("/tasks?project=follow&q=clone").path("items").get(0).path("id").asText()).isEqualTo(clone);
    }

    @Test
    void indexMatchesAFreshScanOfTheStore() {
        // the cache must agree with the store it caches: reload from a scan and compare rows
        TaskIndex fresh = new TaskIndex(controller.services().store().tasks(), Runnable::run);
        fresh.load();
        assertThat(fresh.size()).isGreaterThanOrEqualTo(12);
        TaskIndexQuery q = new TaskIndexQuery(java.util.Set.of(), "lst", null, List.of(), null, null, List.of(),
                TaskIndexQuery.Sort.parse("name"), 0, 100, null);
        List<String> viaHttp = new ArrayList<>();
        api.okGet("/tasks?project=lst&sort=name&limit=100").path("items").forEach(t -> viaHttp.add(t.path("id").asText()));
        assertThat(fresh.query(q, null).ids()).isEqualTo(viaHttp);
    }
}

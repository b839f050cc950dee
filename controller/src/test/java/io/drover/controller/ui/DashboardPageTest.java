package io.drover.controller.ui;

import static io.drover.controller.logs.ExtrasFixture.json;
import static org.assertj.core.api.Assertions.assertThat;

import io.drover.controller.logs.ExtrasFixture;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The page at {@code /} and the static files of ui-static, served by a real controller. */
class DashboardPageTest {
    @TempDir
    static Path dir;
    static ExtrasFixture f;

    @BeforeAll
    static void start() throws Exception {
        f = new ExtrasFixture(dir);
    }

    @AfterAll
    static void stop() {
        f.close();
    }

    @Test
    void listsTasksWithEscapedNamesStatusAndLinks() throws Exception {
        String name = "<img src=x onerror=alert(1)> & \"train\"";
        HttpResponse<String> c = f.postJson("/api/v1/tasks", "{\"name\":" + io.drover.shared.json.Json.write(name)
                + ",\"script\":{\"repo\":\"/tmp/repo\",\"entryPoint\":\"train.py\"},\"enqueue\":true}");
        assertThat(c.statusCode()).as(c.body()).isEqualTo(201);
        String id = json(c).path("id").asText();

        HttpResponse<String> page = f.get("/");
        assertThat(page.statusCode()).isEqualTo(200);
        assertThat(page.headers().firstValue("Content-Type")).hasValueSatisfying(t -> assertThat(t).startsWith("text/html"));
        String html = page.body();
        assertThat(html).contains("&lt;img src=x onerror=alert(1)&gt; &amp; &quot;train&quot;");
        assertThat(html).doesNotContain("<img");
        assertThat(html).contains("status-queued").contains(">queued<");
        assertThat(html).contains("href=\"/api/v1/tasks/" + id + "\"").contains("href=\"/ui/task.html?id=" + id + "\"");
        assertThat(html).contains("<script type=\"module\" src=\"/ui/tasks.js\">");
    }

    @Test
    void servesTheStaticFilesFromTheClasspath() throws Exception {
        HttpResponse<String> js = f.get("/ui/task.js");
        assertThat(js.statusCode()).isEqualTo(200);
        assertThat(js.headers().firstValue("Content-Type")).hasValueSatisfying(t -> assertThat(t).contains("javascript"));
        assertThat(js.body()).contains("/logs?after=").doesNotContain("innerHTML");
        assertThat(f.get("/ui/dom.js").body()).contains("textContent").doesNotContain("innerHTML");
        assertThat(f.get("/ui/task.html").body()).contains("<pre id=\"log\">");
        assertThat(f.get("/ui/nope.js").statusCode()).isEqualTo(404);
    }

    @Test
    void escapesEverySpecialCharacter() {
        assertThat(Html.escape("<a href='x'>\"&\"</a>")).isEqualTo("&lt;a href=&#39;x&#39;&gt;&quot;&amp;&quot;&lt;/a&gt;");
        assertThat(IndexPage.statusClass("x\" onclick=\"y")).isEqualTo("unknown");
    }
}

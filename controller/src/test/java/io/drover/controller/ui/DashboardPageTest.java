package io.drover.controller.ui;

import static org.assertj.core.api.Assertions.assertThat;

import io.drover.controller.logs.ExtrasFixture;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The dashboard's pages and modules, served from the classpath by a real controller (auth off). */
class DashboardPageTest {
    static final List<String> PAGES = List.of("index.html", "compare.html", "queues.html", "workers.html", "task.html", "login.html");
    static final Pattern MODULE_SRC = Pattern.compile("<script type=\"module\" src=\"(/ui/[^\"]+\\.js)\">");
    static final Pattern IMPORT = Pattern.compile("(?m)^\\s*(?:import|export)\\s[^;]*?from\\s+'(\\./[^']+\\.js)'");

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
    void theRootSendsTheBrowserToTheExperimentsPage() throws Exception {
        for (String path : List.of("/", "/index.html")) {
            HttpResponse<String> r = f.get(path);
            assertThat(r.statusCode()).as(path).isEqualTo(302);
            assertThat(r.headers().firstValue("Location")).hasValue("/ui/index.html");
        }
    }

    @Test
    void everyPageAndEveryModuleItImportsIsServedWithItsContentType() throws Exception {
        Deque<String> modules = new ArrayDeque<>();
        for (String page : PAGES) {
            HttpResponse<String> r = f.get("/ui/" + page);
            assertThat(r.statusCode()).as(page).isEqualTo(200);
            assertThat(r.headers().firstValue("Content-Type")).as(page).hasValueSatisfying(t -> assertThat(t).startsWith("text/html"));
            assertThat(r.headers().firstValue("Content-Security-Policy")).as(page).hasValueSatisfying(t -> assertThat(t).contains("script-src 'self'"));
            assertThat(r.body()).as(page).contains("/ui/style.css").contains("<meta name=\"viewport\"");
            Matcher m = MODULE_SRC.matcher(r.body());
            assertThat(m.find()).as(page + " loads a module").isTrue();
            do {
                modules.add(m.group(1));
            } while (m.find());
        }
        // follow the relative imports: a module that is missing (or misnamed) fails here, not in a browser
        Set<String> seen = new HashSet<>();
        while (!modules.isEmpty()) {
            String path = modules.pop();
            if (!seen.add(path)) continue;
            HttpResponse<String> js = f.get(path);
            assertThat(js.statusCode()).as(path).isEqualTo(200);
            assertThat(js.headers().firstValue("Content-Type")).as(path).hasValueSatisfying(t -> assertThat(t).contains("javascript"));
            // API data goes into the DOM as text, never as markup
            assertThat(js.body()).as(path).doesNotContain("innerHTML").doesNotContain("insertAdjacentHTML").doesNotContain("document.write");
            String base = path.substring(0, path.lastIndexOf('/') + 1);
            Matcher im = IMPORT.matcher(js.body());
            while (im.find()) modules.add(base + im.group(1).substring(2));
        }
        assertThat(seen).contains("/ui/app.js", "/ui/dom.js", "/ui/tasks.js", "/ui/compare.js", "/ui/queues.js", "/ui/workers.js");

        HttpResponse<String> css = f.get("/ui/style.css");
        assertThat(css.statusCode()).isEqualTo(200);
        assertThat(css.headers().firstValue("Content-Type")).hasValueSatisfying(t -> assertThat(t).startsWith("text/css"));
        assertThat(css.body()).contains(":focus-visible").contains("@media (max-width: 600px)");
        assertThat(f.get("/ui/nope.js").statusCode()).isEqualTo(404);
        assertThat(f.get("/webjars/uplot/1.6.30/dist/uPlot.iife.min.js").statusCode()).isEqualTo(200);
    }

    @Test
    void thePagesCarryTheIdsTheBrowserTestsUse() throws Exception {
        assertThat(f.get("/ui/index.html").body()).contains("id=\"projects\"", "<table id=\"experiments\"", "id=\"bulk\"",
                "data-action=\"abort\"", "data-action=\"enqueue\"", "data-action=\"archive\"", "data-action=\"tag\"",
                "id=\"search\"", "id=\"filter-status\"", "id=\"columns\"", "id=\"compare\"", "<label for=\"search\"");
        assertThat(f.get("/ui/compare.html").body()).contains("id=\"param-diff\"", "id=\"metric-table\"", "id=\"compare-charts\"");
        assertThat(f.get("/ui/queues.html").body()).contains("id=\"queues\"");
        assertThat(f.get("/ui/workers.html").body()).contains("id=\"workers\"");
        // rows, checkboxes and data attributes are built by the modules
        assertThat(f.get("/ui/tasks.js").body()).contains("'data-task-id'", "select-row", "/tasks/bulk", "/compare.html?ids=");
        assertThat(f.get("/ui/queues.js").body()).contains("'data-queue'", "/move");
        assertThat(f.get("/ui/workers.js").body()).contains("'data-worker'", "/stats?minutes=60");
    }
}

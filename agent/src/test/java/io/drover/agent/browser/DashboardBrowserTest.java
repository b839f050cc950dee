package io.drover.agent.browser;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.Keys;
import org.openqa.selenium.WebElement;

/**
 * The dashboard in headless Chromium against a real controller (auth on) and a real agent
 * running real Python tasks (issue 4's browser scenarios). One stack and one browser for the
 * class; each test logs in through the login page when the browser has no session. Screenshots
 * of every scenario land in {@code agent/target/e2e-screenshots/DashboardBrowserTest/}. Run:
 * {@code mvn -o test -pl agent -Dtest=DashboardBrowserTest}.
 */
class DashboardBrowserTest {
    /**
     * Without the back/forward cache: each scenario here tests its own feature, not what the pages
     * of the tests before it left behind in the cache (that is BackForwardCacheBrowserTest's job).
     */
    @RegisterExtension
    static final Browser browser = new Browser(false);

    @TempDir
    static Path tmp;
    static BrowserStack stack;
    /** Tasks queued up front so the agent runs them while the first tests use the browser. */
    static String chartTask, cloneParent;

    @BeforeAll
    static void start() throws Exception {
        stack = BrowserStack.start(tmp);
        browser.baseUrl(stack.controller.baseUrl());
        // 40 points of "loss" from ::drover metric lines, 60 of "acc" from the Python client
        chartTask = stack.submit("e2e-chart", "chart", Map.of("ticks", "40", "points", "60"), true);
        cloneParent = stack.submit("e2e-clone", "clone-me", Map.of("lr", "0.1", "epochs", "3"), true);
    }

    @AfterAll
    static void stop() throws Exception {
        if (stack != null) stack.close();
    }

    @BeforeEach
    void session() {
        if (browser.driver() != null && browser.cookie("drover_session").isEmpty()) logIn("/ui/index.html");
    }

    /** Through the login page, as a person would; lands on {@code next}. */
    static void logIn(String next) {
        browser.open("/ui/login.html?next=" + next);
        browser.visible("#username").clear();
        browser.visible("#username").sendKeys(stack.boot.username());
        browser.visible("#password").clear();
        browser.visible("#password").sendKeys(stack.boot.password());
        browser.visible("#submit").click();
        // (the login page's own URL ends with ?next=…: wait for the page itself to change)
        browser.await("the login page to go on to " + next, d -> !d.getCurrentUrl().contains("/ui/login.html")
                && d.getCurrentUrl().endsWith(next));
    }

    @Test
    void logsInThroughTheLoginPage() {
        browser.driver().manage().deleteAllCookies();
        // without a session the dashboard sends the browser to the login page (its API calls get 401)
        browser.open("/ui/index.html");
        browser.await("the experiments page without a session to go to the login page",
                d -> d.getCurrentUrl().contains("/ui/login.html"));
        browser.open("/ui/login.html?next=/ui/index.html");
        browser.visible("#username").sendKeys(stack.boot.username());
        browser.visible("#password").sendKeys("not-the-password");
        browser.visible("#submit").click();
        WebElement error = browser.visible("#error");
        assertThat(error.getText()).as("the login error says what was wrong").isNotBlank();
        assertThat(browser.cookie("drover_session")).isEmpty();
        browser.screenshot("login-refused");

        logIn("/ui/index.html");
        assertThat(browser.cookie("drover_session")).as("session cookie").isPresent();
        assertThat(browser.cookie("drover_session").orElseThrow().isHttpOnly()).isTrue();
        browser.visible("table#experiments");
        browser.screenshot("login-done");
    }

    @Test
    void theExperimentPageShowsNewLogLinesAndTheStatusLiveWithoutReloading() {
        // 25 lines 0.3 s apart (~7.5 s): the page is open before the first one is printed
        String id = stack.submit("e2e-live", "live", Map.of("ticks", "25", "delay", "0.3"), true);
        browser.open("/ui/task.html?id=" + id);
        browser.visible("#status");
        browser.js("window.__droverNoReload = 'still here';");
        browser.visible("#tab-console").click();
        stack.awaitStatus(id, "running");

        // a few lines in, but far from all: they arrived while we watched
        AtomicInteger firstSeen = new AtomicInteger();
        browser.await("the first 'tick' lines in #console", d -> {
            int n = ticks().size();
            if (n > 0) firstSeen.set(n);
            return n > 0;
        });
        browser.screenshot("live-console-first-lines");
        assertThat(firstSeen.get()).as("ticks already shown when the first appeared (the page must show them as they come)")
                .isLessThan(25);
        browser.await("'tick 24' to appear in #console without a reload", d -> ticks().contains("tick 24"));
        browser.await("#status to become completed without a reload",
                d -> Browser.text(d.findElement(By.id("status"))).toLowerCase().contains("completed"));
        browser.screenshot("live-console-all-lines");

        assertThat(browser.js("return window.__droverNoReload;")).as("the page was not reloaded").isEqualTo("still here");
        List<String> ticks = ticks();
        assertThat(ticks).as("every line once, in order").containsExactly(
                java.util.stream.IntStream.range(0, 25).mapToObj(i -> "tick " + i).toArray(String[]::new));
        assertThat(stack.task(id).path("status").asText()).isEqualTo("completed");
    }

    @Test
    void theExperimentPageGetsItsLiveUpdatesPushedOverServerSentEvents() {
        String id = stack.submit("e2e-live", "pushed", Map.of("ticks", "10", "delay", "0.3"), true);
        browser.open("/ui/task.html?id=" + id);
        browser.visible("#tab-console").click();
        // the contract: GET /api/v1/stream?task=ID (EventSource, session cookie) with 'log' events
        // announcing new lines, and 'task' events for status changes
        try {
            browser.await("an open EventSource on /api/v1/stream?…task=" + id + " that received 'log' and 'task' events", d ->
                    browser.streams().stream().anyMatch(st -> String.valueOf(st.get("url")).contains("/api/v1/stream")
                            && String.valueOf(st.get("url")).contains("task=" + id)
                            && Boolean.TRUE.equals(st.get("opened"))
                            && st.get("events") instanceof Map<?, ?> ev && ev.containsKey("log") && ev.containsKey("task")));
        } catch (AssertionError e) {
            throw new AssertionError(e.getMessage() + "; the page's EventSource streams: " + browser.streams(), e);
        }
        browser.await("'tick 9' in #console", d -> ticks().contains("tick 9"));
        browser.screenshot("live-pushed");
    }

    /** The "tick N" lines the console shows (the .log-line text may carry a timestamp prefix). */
    static List<String> ticks() {
        List<String> out = new ArrayList<>();
        for (WebElement line : browser.all("#console .log-line")) {
            String t = Browser.text(line);
            int at = t.indexOf("tick ");
            if (at >= 0) out.add(t.substring(at).strip());
        }
        return out;
    }

    @Test
    void theScalarsTabChartsThePointsTheTaskLogged() {
        String id = chartTask;
        JsonNode t = stack.awaitFinal(id);
        assertThat(t.path("status").asText()).as(String.join("\n", stack.logs(id))).isEqualTo("completed");

        browser.open("/ui/task.html?id=" + id);
        browser.visible("#tab-scalars").click();
        for (var series : Map.of("loss", 40, "acc", 60).entrySet()) {
            String css = "#scalars .chart[data-series='" + series.getKey() + "']";
            WebElement chart = browser.await(css + " with data-points=" + series.getValue(), d -> d.findElements(By.cssSelector(css))
                    .stream().filter(c -> String.valueOf(series.getValue()).equals(c.getDomAttribute("data-points"))).findFirst().orElse(null));
            assertThat(chart.findElements(By.tagName("canvas"))).as("uPlot's canvas in " + css).isNotEmpty();
            assertThat(chart.isDisplayed()).as(css + " visible").isTrue();
        }
        browser.screenshot("scalars-chart");
    }

    @Test
    void theOverviewShowsWhatRanWhereAndHowItEnded() {
        String id = chartTask;
        assertThat(stack.awaitFinal(id).path("status").asText()).isEqualTo("completed");
        browser.open("/ui/task.html?id=" + id);
        WebElement tab = browser.visible("#tab-overview");
        tab.click();
        String panel = "#" + tab.getDomAttribute("aria-controls");
        assertThat(panel).as("#tab-overview names its panel (aria-controls)").isNotEqualTo("#null");
        browser.await(panel + " to show the worker, the entry point and the branch", d -> {
            String text = Browser.text(d.findElement(By.cssSelector(panel)));
            return text.contains("browser-agent") && text.contains("ticker.py") && text.contains("main");
        });
        browser.screenshot("overview");
    }

    @Test
    void theConsoleSearchShowsOnlyMatchingLinesAndTheDownloadHasThemAll() {
        String id = chartTask; // 40 lines "tick 0" … "tick 39"
        assertThat(stack.awaitFinal(id).path("status").asText()).isEqualTo("completed");
        browser.open("/ui/task.html?id=" + id);
        browser.visible("#tab-console").click();
        browser.await("'tick 39' in #console", d -> ticks().contains("tick 39"));

        WebElement search = browser.visible("#console-search");
        search.sendKeys("TICK 3" + Keys.ENTER); // case-insensitive: tick 3, tick 30 … tick 39
        List<String> expected = new ArrayList<>(List.of("tick 3"));
        for (int i = 30; i < 40; i++) expected.add("tick " + i);
        browser.await("#console to show only the 11 lines containing 'tick 3'", d -> {
            List<String> shown = new ArrayList<>();
            for (WebElement l : d.findElements(By.cssSelector("#console .log-line"))) shown.add(Browser.text(l));
            return shown.size() == 11 && shown.stream().allMatch(t -> t.contains("tick 3"));
        });
        assertThat(ticks()).containsExactlyElementsOf(expected);
        browser.screenshot("console-search");

        // the download link serves the whole console (fetched by the page itself: same session)
        String href = browser.visible("#console-download").getDomProperty("href");
        assertThat(href).as("download link").contains(id);
        Object text = ((org.openqa.selenium.JavascriptExecutor) browser.driver()).executeAsyncScript(
                "const done = arguments[arguments.length - 1];"
                        + "fetch(arguments[0], {credentials: 'same-origin'}).then(r => r.text()).then(done, e => done('ERROR ' + e));", href);
        assertThat(String.valueOf(text)).contains("tick 0").contains("tick 39").contains("finished");
    }

    @Test
    void theQueuesAndWorkersPagesShowTheAgentAndItsQueue() {
        browser.open("/ui/workers.html");
        WebElement row = browser.present("#workers tr[data-worker='browser-agent']");
        browser.await("the agent shown online", d -> Browser.text(row).toLowerCase().contains("online")
                || classes(row).contains("is-online"));
        browser.screenshot("workers");
        browser.open("/ui/queues.html");
        browser.present("#queues tr[data-queue='default']");
        browser.screenshot("queues");
    }

    @Test
    void theReadOnlyPagesFitAPhoneWideWindow() {
        String id = chartTask;
        stack.awaitFinal(id);
        var window = browser.driver().manage().window();
        var size = window.getSize();
        try {
            window.setSize(new org.openqa.selenium.Dimension(390, 844));
            for (String page : List.of("/ui/task.html?id=" + id, "/ui/index.html", "/ui/workers.html")) {
                browser.open(page);
                browser.await("the page " + page + " to render", d -> !d.findElements(By.cssSelector(
                        "#status, table#experiments tbody tr, #workers tr[data-worker]")).isEmpty());
                browser.screenshot("phone-" + page.replaceAll("^/ui/|\\.html.*$", ""));
                // wide tables may scroll inside their own box; the page itself must not scroll sideways
                Object overflow = browser.js("return document.documentElement.scrollWidth - document.documentElement.clientWidth;");
                assertThat(((Number) overflow).intValue()).as("horizontal overflow of " + page + " at 390 px (px)").isLessThanOrEqualTo(0);
            }
        } finally {
            window.setSize(size);
        }
    }

    @Test
    void compareHighlightsTheDifferingParameter() {
        String a = stack.submit("e2e-compare", "cmp-a", Map.of("lr", "0.1", "epochs", "3"), false);
        String b = stack.submit("e2e-compare", "cmp-b", Map.of("lr", "0.2", "epochs", "3"), false);
        stack.points(a, "loss", 20, 1.0);
        stack.points(b, "loss", 20, 0.5);

        browser.open("/ui/compare.html?ids=" + a + "," + b);
        WebElement lr = browser.present("#param-diff tr[data-param='lr']");
        WebElement epochs = browser.present("#param-diff tr[data-param='epochs']");
        browser.await("lr's row marked .differs", d -> classes(lr).contains("differs"));
        assertThat(classes(epochs)).as("epochs is the same in both: not highlighted").doesNotContain("differs");
        assertThat(Browser.text(lr)).contains("0.1").contains("0.2");
        browser.visible("#metric-table");
        WebElement chart = browser.present("#compare-charts .chart");
        browser.await("uPlot's canvas in the overlaid chart", d -> !chart.findElements(By.tagName("canvas")).isEmpty());
        browser.show(lr);
        browser.screenshot("compare-param-diff");
    }

    static Set<String> classes(WebElement e) {
        String c = e.getDomAttribute("class");
        return c == null ? Set.of() : new TreeSet<>(List.of(c.trim().split("\\s+")));
    }

    @Test
    void cloneEditEnqueueFromTheBrowserRunsTheTaskWithTheNewValue() {
        String parent = cloneParent;
        assertThat(stack.awaitFinal(parent).path("status").asText()).isEqualTo("completed");

        browser.open("/ui/task.html?id=" + parent);
        // the task loaded (its status shown) before the button is used, as a person would see it
        browser.await("#status to show completed", d -> Browser.text(d.findElement(By.id("status"))).toLowerCase().contains("completed"));
        browser.visible("#clone").click();
        browser.visible("form#clone-form");
        WebElement lr = browser.visible("form#clone-form input[data-param='lr']");
        assertThat(lr.getDomProperty("value")).as("the form starts from the task's value").isEqualTo("0.1");
        lr.clear();
        lr.sendKeys("0.05");
        browser.visible("#clone-queue");
        browser.screenshot("clone-form");
        browser.visible("#clone-enqueue").click();

        String child = browser.await("the new task's page", d -> {
            String url = d.getCurrentUrl();
            int at = url.indexOf("task.html?id=");
            if (at < 0) return null;
            String id = url.substring(at + "task.html?id=".length()).replaceAll("[&#].*", "");
            return id.equals(parent) ? null : id;
        });
        // the agent runs it; the page follows live until it completes
        stack.awaitFinal(child);
        browser.await("#status of the clone to show completed",
                d -> Browser.text(d.findElement(By.id("status"))).toLowerCase().contains("completed"));
        browser.visible("#tab-console").click();
        browser.await("the clone's console to print the new value", d -> d.findElements(By.cssSelector("#console .log-line"))
                .stream().anyMatch(l -> Browser.text(l).contains("params lr=0.05 epochs=3")));
        browser.screenshot("clone-console");
        browser.visible("#tab-params").click();
        browser.await("#params lr row to show 0.05", d -> d.findElements(By.cssSelector("#params tr[data-param='lr']"))
                .stream().anyMatch(r -> Browser.text(r).contains("0.05")));
        browser.screenshot("clone-ran-with-new-value");

        JsonNode t = stack.task(child);
        assertThat(t.path("status").asText()).isEqualTo("completed");
        assertThat(t.path("parentId").asText()).isEqualTo(parent);
        assertThat(t.path("params").path("lr").asText()).isEqualTo("0.05");
        assertThat(t.path("params").path("epochs").asText()).isEqualTo("3");
        assertThat(stack.logs(child)).contains("params lr=0.05 epochs=3");
    }

    @Test
    void theExperimentsTableListsTheProjectsTasksAndArchivesTheSelectedOnes() {
        String t1 = stack.submit("e2e-table", "row-1", Map.of("lr", "0.1"), false);
        String t2 = stack.submit("e2e-table", "row-2", Map.of("lr", "0.2"), false);
        String t3 = stack.submit("e2e-table", "row-3", Map.of("lr", "0.3"), false);
        String elsewhere = stack.submit("e2e-elsewhere", "not-in-table", Map.of(), false);

        browser.open("/ui/index.html");
        browser.visible("#projects a[data-project='e2e-table']").click();
        browser.await("rows of the 3 tasks of e2e-table, and no other project's", d -> rowIds().equals(Set.of(t1, t2, t3)));
        assertThat(rowIds()).doesNotContain(elsewhere);
        browser.screenshot("table-project");

        row(t1).findElement(By.cssSelector("input.select-row")).click();
        row(t2).findElement(By.cssSelector("input.select-row")).click();
        browser.visible("#bulk");
        browser.await("#compare enabled with 2 selected", d -> d.findElement(By.id("compare")).isEnabled());
        browser.screenshot("table-selected");
        browser.visible("#bulk button[data-action='archive']").click();
        browser.acceptDialogIfAny();
        browser.await("the archived rows to leave the table", d -> rowIds().equals(Set.of(t3)));
        browser.screenshot("table-archived");

        assertThat(stack.task(t1).path("archived").asBoolean()).isTrue();
        assertThat(stack.task(t2).path("archived").asBoolean()).isTrue();
        assertThat(stack.task(t3).path("archived").asBoolean()).isFalse();
    }

    static Set<String> rowIds() {
        Set<String> ids = new TreeSet<>();
        for (WebElement r : browser.all("table#experiments tbody tr[data-task-id]")) ids.add(r.getDomAttribute("data-task-id"));
        return ids;
    }

    static WebElement row(String id) {
        return browser.present("table#experiments tr[data-task-id='" + id + "']");
    }
}

package io.drover.agent.browser;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;

/**
 * Browsing from page to page in one tab, in Chromium as users run it (back/forward cache on).
 * A page left for another one may be kept in that cache, frozen: its timers do not run, but a
 * live-update stream it did not close on {@code pagehide} stays connected. Over HTTP/1.1 a
 * browser opens at most 6 connections per host, so six such pages stall every further request
 * to the controller: the seventh page never loads its scripts.
 */
class BackForwardCacheBrowserTest {
    @RegisterExtension
    static final Browser browser = new Browser(true);

    @TempDir
    static Path tmp;
    static BrowserStack stack;

    @BeforeAll
    static void start() throws Exception {
        stack = BrowserStack.start(tmp);
        browser.baseUrl(stack.controller.baseUrl());
    }

    @AfterAll
    static void stop() throws Exception {
        if (stack != null) stack.close();
    }

    @Test
    void everyPageStillWorksAfterBrowsingThroughTenExperimentPages() {
        browser.open("/ui/login.html?next=/ui/index.html");
        browser.visible("#username").sendKeys(stack.boot.username());
        browser.visible("#password").sendKeys(stack.boot.password());
        browser.visible("#submit").click();
        browser.await("the login to land on the experiments page", d -> !d.getCurrentUrl().contains("/ui/login.html"));

        List<String> ids = List.of(
                stack.submit("e2e-bfcache", "one", Map.of("lr", "0.1"), false),
                stack.submit("e2e-bfcache", "two", Map.of("lr", "0.2"), false));
        for (int i = 0; i < 10; i++) {
            String id = ids.get(i % 2);
            browser.open("/ui/task.html?id=" + id);
            int page = i + 1;
            // the overview is drawn by a module the page loads after the task: it needs a free connection
            browser.await("experiment page " + page + " of 10 to show its overview (open live streams of the pages before: "
                    + "a page must close its EventSource on pagehide)", d -> {
                        String status = Browser.text(d.findElement(By.id("status")));
                        String overview = Browser.text(d.findElement(By.id("tab-overview")));
                        String panel = d.findElement(By.id("tab-overview")).getDomAttribute("aria-controls");
                        return !status.isEmpty() && !overview.isEmpty() && panel != null
                                && !Browser.text(d.findElement(By.id(panel))).isEmpty();
                    });
        }
        browser.screenshot("tenth-page");
        // and the one we came from, restored from the cache, is live again
        browser.driver().navigate().back();
        browser.await("the page restored by Back to have an open live stream", d -> browser.streams().stream()
                .anyMatch(s -> Boolean.TRUE.equals(s.get("opened")) && String.valueOf(s.get("url")).contains("task=" + ids.get(0))));
        assertThat(browser.driver().getCurrentUrl()).contains(ids.get(0));
        browser.screenshot("back");
    }
}

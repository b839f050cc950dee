package io.drover.agent.browser;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.logging.Level;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ConditionEvaluationResult;
import org.junit.jupiter.api.extension.ExecutionCondition;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.TestWatcher;
import org.openqa.selenium.By;
import org.openqa.selenium.Cookie;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.NoAlertPresentException;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.StaleElementReferenceException;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.TimeoutException;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebDriverException;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.logging.LogEntry;
import org.openqa.selenium.logging.LogType;
import org.openqa.selenium.logging.LoggingPreferences;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * One headless Chromium for a test class, driven by Debian's chromedriver (never a downloaded
 * one: the driver executable is given explicitly, so Selenium Manager is not consulted). Register
 * it as a static {@code @RegisterExtension}: the class is skipped, with the reason, when Chromium
 * or chromedriver is not installed. Saves a screenshot at the end of every test and, on failure,
 * another one plus the page source and the browser console, under
 * {@code target/e2e-screenshots/CLASS/} (root overridable with {@code -Ddrover.screenshots=DIR}).
 */
final class Browser implements ExecutionCondition, BeforeAllCallback, AfterAllCallback, AfterEachCallback, TestWatcher {
    /** Longest explicit wait; pages must react well within it even on a busy 2-core CI machine. */
    static final Duration WAIT = Duration.ofSeconds(30);

    private static final Path CHROMIUM = Path.of(System.getProperty("drover.chromium", "/usr/bin/chromium"));
    private static final Path CHROMEDRIVER = Path.of(System.getProperty("drover.chromedriver", "/usr/bin/chromedriver"));

    /** Held so the level sticks: Selenium warns about CDP versions it lacks, which these tests never use. */
    private static final java.util.logging.Logger CDP_LOG = java.util.logging.Logger.getLogger("org.openqa.selenium.devtools");

    static {
        CDP_LOG.setLevel(Level.SEVERE);
    }

    private final boolean backForwardCache;
    private final Path root = Path.of(System.getProperty("drover.screenshots", "target/e2e-screenshots")).toAbsolutePath();
    private Path shots;
    private ChromeDriver driver;
    private Path profile;
    private String baseUrl;

    /** Why the browser tests cannot run here, or null when they can. */
    static String missing() {
        if (!Files.isExecutable(CHROMIUM))
            return "browser tests skipped: no Chromium at " + CHROMIUM + " (apt-get install chromium, or -Ddrover.chromium=PATH)";
        if (!Files.isExecutable(CHROMEDRIVER))
            return "browser tests skipped: no chromedriver at " + CHROMEDRIVER
                    + " (apt-get install chromium-driver, or -Ddrover.chromedriver=PATH)";
        return null;
    }

    /** Skips the whole class (before its stack starts) with the reason in the report and on stderr. */
    @Override
    public ConditionEvaluationResult evaluateExecutionCondition(ExtensionContext context) {
        String why = missing();
        if (why == null) return ConditionEvaluationResult.enabled("Chromium and chromedriver found");
        System.err.println("[browser] " + context.getDisplayName() + ": " + why);
        return ConditionEvaluationResult.disabled(why);
    }

    /** Chromium as users run it (back/forward cache on). */
    Browser() {
        this(true);
    }

    /**
     * {@code backForwardCache=false} keeps pages a test navigated away from out of Chromium's
     * back/forward cache, so one page that holds connections there cannot stall another test's
     * pages; the behaviour with the cache is tested on its own (BackForwardCacheBrowserTest).
     */
    Browser(boolean backForwardCache) {
        this.backForwardCache = backForwardCache;
    }

    @Override
    public void beforeAll(ExtensionContext context) throws Exception {
        Assumptions.assumeTrue(missing() == null, Browser::missing);
        // set too, so nothing in Selenium goes looking for (or downloading) another driver
        System.setProperty("webdriver.chrome.driver", CHROMEDRIVER.toString());
        // one folder per test class, emptied first: what is there is from this run only
        shots = root.resolve(context.getRequiredTestClass().getSimpleName());
        if (Files.isDirectory(shots)) {
            try (Stream<Path> old = Files.list(shots)) {
                old.filter(Files::isRegularFile).forEach(p -> p.toFile().delete());
            }
        }
        Files.createDirectories(shots);
        profile = Files.createTempDirectory("drover-chromium-");
        ChromeOptions options = new ChromeOptions();
        options.setBinary(CHROMIUM.toFile());
        options.addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-dev-shm-usage",
                "--window-size=1280,900", "--user-data-dir=" + profile);
        if (!backForwardCache) options.addArguments("--disable-features=BackForwardCache");
        LoggingPreferences logs = new LoggingPreferences();
        logs.enable(LogType.BROWSER, Level.ALL);
        options.setCapability("goog:loggingPrefs", logs);
        ChromeDriverService service = new ChromeDriverService.Builder()
                .usingDriverExecutable(CHROMEDRIVER.toFile()).usingAnyFreePort().build();
        driver = new ChromeDriver(service, options);
        driver.manage().timeouts().pageLoadTimeout(WAIT).scriptTimeout(WAIT);
        // before any page script: record the EventSource streams pages open, whether they opened
        // and which events arrived, so a test can tell pushed updates from polling
        driver.executeCdpCommand("Page.addScriptToEvaluateOnNewDocument", Map.of("source", STREAM_PROBE));
    }

    private static final String STREAM_PROBE = """
            (() => {
              const Native = window.EventSource;
              window.__droverStreams = [];
              if (!Native) return;
              window.EventSource = class extends Native {
                constructor(url, init) {
                  super(url, init);
                  const rec = { url: new URL(String(url), location.href).href, opened: false, errors: 0, events: {} };
                  window.__droverStreams.push(rec);
                  this.addEventListener('open', () => { rec.opened = true; });
                  this.addEventListener('error', () => { rec.errors++; });
                  for (const type of ['task', 'log', 'scalars', 'report', 'message']) {
                    this.addEventListener(type, () => { rec.events[type] = (rec.events[type] || 0) + 1; });
                  }
                }
              };
            })();
            """;

    /** The EventSource streams the current page opened: url, opened, errors, events {type: count}. */
    @SuppressWarnings("unchecked")
    List<Map<String, Object>> streams() {
        Object r = js("return window.__droverStreams || [];");
        return r instanceof List<?> l ? (List<Map<String, Object>>) l : List.of();
    }

    @Override
    public void afterEach(ExtensionContext context) {
        screenshot(context.getRequiredTestMethod().getName() + "-end");
    }

    @Override
    public void testFailed(ExtensionContext context, Throwable cause) {
        if (driver == null) return;
        String name = context.getRequiredTestMethod().getName() + "-FAILED";
        screenshot(name);
        try {
            Files.writeString(shots.resolve(name + ".html"), "<!-- " + driver.getCurrentUrl() + " -->\n" + driver.getPageSource());
            StringBuilder console = new StringBuilder();
            for (LogEntry e : driver.manage().logs().get(LogType.BROWSER)) console.append(e).append('\n');
            Files.writeString(shots.resolve(name + ".console.txt"), console);
        } catch (IOException | WebDriverException e) {
            System.err.println("[browser] could not save the failure details of " + name + ": " + e);
        }
    }

    @Override
    public void afterAll(ExtensionContext context) throws IOException {
        if (driver != null) driver.quit();
        driver = null;
        if (profile != null) {
            try (Stream<Path> walk = Files.walk(profile)) {
                walk.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    /** The controller the relative paths of {@link #open} go to. */
    void baseUrl(String url) {
        this.baseUrl = url;
    }

    WebDriver driver() {
        return driver;
    }

    void open(String path) {
        driver.get(baseUrl + path);
    }

    /** Screenshot under target/e2e-screenshots/NAME.png; a failure to save is reported, not thrown. */
    Path screenshot(String name) {
        if (driver == null) return null;
        Path file = shots.resolve(name.replaceAll("[^A-Za-z0-9._-]", "_") + ".png");
        try {
            Files.write(file, ((TakesScreenshot) driver).getScreenshotAs(OutputType.BYTES));
            return file;
        } catch (IOException | WebDriverException e) {
            System.err.println("[browser] could not save screenshot " + file + ": " + e);
            return null;
        }
    }

    /** Explicit wait (≤ 30 s) until {@code condition} returns non-null/true; the message says what was awaited. */
    <T> T await(String what, Function<WebDriver, T> condition) {
        WebDriverWait wait = new WebDriverWait(driver, WAIT, Duration.ofMillis(100));
        wait.ignoring(StaleElementReferenceException.class); // a page re-rendering under us: look again
        try {
            return wait.until(condition);
        } catch (TimeoutException e) {
            // the short story; Selenium's own message adds a page of build and capability details
            throw new AssertionError("waited " + WAIT.toSeconds() + " s for " + what + " (url " + driver.getCurrentUrl() + ")"
                    + (e.getCause() != null ? "; last error: " + e.getCause().toString().lines().findFirst().orElse("") : ""));
        }
    }

    /** The first visible element matching {@code css}, waiting for it. */
    WebElement visible(String css) {
        return await("a visible " + css, d -> d.findElements(By.cssSelector(css)).stream()
                .filter(WebElement::isDisplayed).findFirst().orElse(null));
    }

    /** The first element matching {@code css} (visible or not), waiting for it. */
    WebElement present(String css) {
        return await("an element " + css, d -> d.findElements(By.cssSelector(css)).stream().findFirst().orElse(null));
    }

    List<WebElement> all(String css) {
        return driver.findElements(By.cssSelector(css));
    }

    /** The DOM text of an element (also of one inside a hidden tab, which getText() reports as empty). */
    static String text(WebElement e) {
        String t = e.getDomProperty("textContent");
        return t == null ? "" : t.strip();
    }

    /** Scrolls the element to the middle of the window (before a screenshot that should show it). */
    void show(WebElement e) {
        js("arguments[0].scrollIntoView({block: 'center'});", e);
    }

    Object js(String script, Object... args) {
        return ((JavascriptExecutor) driver).executeScript(script, args);
    }

    Optional<Cookie> cookie(String name) {
        return Optional.ofNullable(driver.manage().getCookieNamed(name));
    }

    /** Accepts a confirm()/alert() if the page opened one (bulk actions may ask first). */
    boolean acceptDialogIfAny() {
        try {
            driver.switchTo().alert().accept();
            return true;
        } catch (NoAlertPresentException e) {
            return false;
        }
    }
}

package io.drover.controller.testing;

import io.drover.controller.ControllerMain;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** {@code ControllerMain} in a child JVM (so it can be killed with SIGKILL), with the test classpath. */
public final class ChildController implements AutoCloseable {
    private static final Pattern LISTENING = Pattern.compile("listening on (http://\\S+)");

    private final Process process;
    private final String url;
    private final Path log;

    private ChildController(Process process, String url, Path log) {
        this.process = process;
        this.url = url;
        this.log = log;
    }

    /** Starts it and waits for "listening on URL" on its stdout. */
    public static ChildController start(Path dataDir, Path logFile, String... extra) throws Exception {
        Process p = process(dataDir, logFile, extra);
        CompletableFuture<String> url = new CompletableFuture<>();
        Thread reader = new Thread(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
                for (String line; (line = r.readLine()) != null; ) {
                    Files.writeString(logFile, line + "\n", StandardCharsets.UTF_8,
                            java.nio.file.StandardOpenOption.CREATE, java.nio.file.StandardOpenOption.APPEND);
                    Matcher m = LISTENING.matcher(line);
                    if (m.find()) url.complete(m.group(1));
                }
            } catch (Exception ignored) {
                // the process died
            }
            url.completeExceptionally(new IllegalStateException("controller exited before listening; see " + logFile));
        }, "child-controller-out");
        reader.setDaemon(true);
        reader.start();
        try {
            return new ChildController(p, url.get(60, TimeUnit.SECONDS), logFile);
        } catch (Exception e) {
            p.destroyForcibly();
            throw new IllegalStateException("child controller did not start: " + e.getMessage() + "\n" + read(logFile), e);
        }
    }

    /** Runs it to completion (for start-up failures); returns exit code and output. */
    public static Result run(Path dataDir, Path logFile, String... extra) throws Exception {
        Process p = process(dataDir, logFile, extra);
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("controller did not exit:\n" + out);
        }
        return new Result(p.exitValue(), out);
    }

    public record Result(int exitCode, String output) {}

    private static Process process(Path dataDir, Path logFile, String... extra) throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<String> cmd = new ArrayList<>(List.of(java, "-Xmx256m", "-cp", System.getProperty("java.class.path"),
                ControllerMain.class.getName(), "--port", "0", "--data", dataDir.toString()));
        // not about auth unless the test says so (auth tests pass "--auth", "on")
        if (!List.of(extra).contains("--auth")) cmd.addAll(List.of("--auth", "off"));
        cmd.addAll(List.of(extra));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        pb.environment().put("DROVER_HOME", dataDir.resolveSibling("drover-home").toString());
        return pb.start();
    }

    private static String read(Path f) {
        try {
            return Files.exists(f) ? Files.readString(f) : "";
        } catch (Exception e) {
            return "";
        }
    }

    public String url() {
        return url;
    }

    /** SIGKILL: no shutdown hook, no final commit. */
    public void kill() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor(30, TimeUnit.SECONDS);
    }

    public String log() {
        return read(log);
    }

    @Override
    public void close() throws InterruptedException {
        if (process.isAlive()) {
            process.destroy();
            if (!process.waitFor(20, TimeUnit.SECONDS)) process.destroyForcibly();
        }
    }
}

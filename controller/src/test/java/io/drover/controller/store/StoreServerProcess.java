package io.drover.controller.store;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** {@code drover store} ({@link StoreMain}) in a child JVM with the test classpath, so it can be killed with SIGKILL. */
final class StoreServerProcess implements AutoCloseable {
    private static final Pattern LISTENING = Pattern.compile("Drover store listening on (mongodb://\\S+)");

    private final Process process;
    private final String uri;

    private StoreServerProcess(Process process, String uri) {
        this.process = process;
        this.uri = uri;
    }

    /** Starts it on a free port and waits for "Drover store listening on URI". */
    static StoreServerProcess start(Path dataDir, Path logFile) throws Exception {
        Process p = process(dataDir, "0");
        CompletableFuture<String> uri = new CompletableFuture<>();
        Thread reader = new Thread(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
                for (String line; (line = r.readLine()) != null; ) {
                    Files.writeString(logFile, line + "\n", StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
                    Matcher m = LISTENING.matcher(line);
                    if (m.find()) uri.complete(m.group(1));
                }
            } catch (Exception ignored) {
                // the process died
            }
            uri.completeExceptionally(new IllegalStateException("store exited before listening; see " + logFile));
        }, "child-store-out");
        reader.setDaemon(true);
        reader.start();
        try {
            return new StoreServerProcess(p, uri.get(60, TimeUnit.SECONDS));
        } catch (Exception e) {
            p.destroyForcibly();
            throw new IllegalStateException("child store did not start: " + e.getMessage() + "\n"
                    + (Files.exists(logFile) ? Files.readString(logFile) : ""), e);
        }
    }

    /** Runs it to completion (start-up failures): exit code and output. */
    static ChildResult run(Path dataDir, String port, String... extra) throws Exception {
        Process p = process(dataDir, port, extra);
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("store did not exit:\n" + out);
        }
        return new ChildResult(p.exitValue(), out);
    }

    record ChildResult(int exitCode, String output) {}

    private static Process process(Path dataDir, String port, String... extra) throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<String> cmd = new ArrayList<>(List.of(java, "-Xmx256m", "-cp", System.getProperty("java.class.path"),
                StoreMain.class.getName(), "--port", port, "--data", dataDir.toString()));
        cmd.addAll(List.of(extra));
        return new ProcessBuilder(cmd).redirectErrorStream(true).start();
    }

    String uri() {
        return uri;
    }

    /** SIGKILL: no shutdown hook, no final commit. */
    void kill() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor(30, TimeUnit.SECONDS);
    }

    @Override
    public void close() throws InterruptedException {
        if (process.isAlive()) {
            process.destroy();
            if (!process.waitFor(20, TimeUnit.SECONDS)) process.destroyForcibly();
        }
    }
}

package io.drover.agent.env;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The local package mirror served on loopback by {@code python3 -m http.server} on a free port:
 * Poetry (and uv) read indexes over HTTP only, not file://.
 */
final class MirrorServer implements AutoCloseable {
    static final Path MIRROR = Path.of("/opt/pypi");
    private static final Pattern PORT = Pattern.compile("port (\\d+)");

    private final Process process;
    final int port;

    private MirrorServer(Process process, int port) {
        this.process = process;
        this.port = port;
    }

    static MirrorServer start() throws Exception {
        Process p = new ProcessBuilder("python3", "-u", "-m", "http.server", "--bind", "127.0.0.1", "--directory",
                MIRROR.toString(), "0").redirectErrorStream(true).start();
        BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
        String line = r.readLine(); // "Serving HTTP on 127.0.0.1 port 41234 (http://127.0.0.1:41234/) ..."
        Matcher m = PORT.matcher(line == null ? "" : line);
        if (!m.find()) {
            p.destroyForcibly();
            throw new IllegalStateException("http.server did not start: " + line);
        }
        Thread drain = new Thread(() -> {
            try {
                while (r.readLine() != null) {
                    // request log lines
                }
            } catch (java.io.IOException ignored) {
                // server stopped
            }
        }, "mirror-log");
        drain.setDaemon(true);
        drain.start();
        return new MirrorServer(p, Integer.parseInt(m.group(1)));
    }

    String simpleUrl() {
        return "http://127.0.0.1:" + port + "/simple/";
    }

    @Override
    public void close() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(5, TimeUnit.SECONDS)) process.destroyForcibly();
    }
}

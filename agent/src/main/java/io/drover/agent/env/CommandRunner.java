package io.drover.agent.env;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/** Runs a build tool (never through a shell), streaming its merged output line by line. */
final class CommandRunner {
    private CommandRunner() {}

    /** Exit code and every output line. */
    record Result(int exitCode, List<String> lines) {
        String tail(int n) {
            return String.join("\n", lines.subList(Math.max(0, lines.size() - n), lines.size()));
        }
    }

    static Result run(List<String> cmd, Path dir, Map<String, String> extraEnv, Consumer<String> log)
            throws IOException, InterruptedException {
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        if (dir != null) pb.directory(dir.toFile());
        pb.environment().putAll(extraEnv);
        pb.redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
        Process p = pb.start();
        List<String> lines = new ArrayList<>();
        try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = r.readLine()) != null) {
                lines.add(line);
                if (log != null) log.accept(line);
            }
        } catch (IOException e) {
            p.destroyForcibly();
            throw e;
        } finally {
            if (Thread.currentThread().isInterrupted()) p.destroyForcibly();
        }
        return new Result(p.waitFor(), lines);
    }

    /** {@link #run}, with a tool that cannot start reported as a build failure naming it. */
    static Result exec(List<String> cmd, Path dir, Map<String, String> extraEnv, Consumer<String> log)
            throws EnvBuildException, InterruptedException {
        try {
            return run(cmd, dir, extraEnv, log);
        } catch (IOException e) {
            throw new EnvBuildException("cannot run " + cmd.get(0) + ": " + e.getMessage(), e);
        }
    }

    /** {@link #exec}; a non-zero exit fails the build with {@code what} and the output's last lines. */
    static Result check(List<String> cmd, Path dir, Map<String, String> extraEnv, Consumer<String> log, String what)
            throws EnvBuildException, InterruptedException {
        Result r = exec(cmd, dir, extraEnv, log);
        if (r.exitCode() != 0) throw new EnvBuildException(what + " (exit " + r.exitCode() + "): " + r.tail(5));
        return r;
    }
}

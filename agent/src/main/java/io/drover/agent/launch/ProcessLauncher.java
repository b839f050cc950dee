package io.drover.agent.launch;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * Starts task processes through the supervisor shim ({@code supervisor.py}), which gives the task
 * its own process group and ends it when the agent dies.
 *
 * <p>Every spawn happens on one long-lived thread: Linux delivers PR_SET_PDEATHSIG when the
 * <em>thread</em> that forked the child exits, so spawning from a pooled thread that later retires
 * would kill healthy tasks.
 */
public final class ProcessLauncher implements TaskLauncher {
    private static final ExecutorService SPAWNER = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "drover-spawner");
        t.setDaemon(true);
        return t;
    });

    private final String systemPython;
    private final Path shim;

    /**
     * @param systemPython the interpreter that runs the shim (e.g. {@code python3})
     * @param shimDir      a directory where the shim file is written once
     */
    public ProcessLauncher(String systemPython, Path shimDir) {
        this.systemPython = systemPython;
        this.shim = writeShim(shimDir);
    }

    public Path shim() {
        return shim;
    }

    @Override
    public RunningProcess start(LaunchSpec spec) throws IOException {
        List<String> cmd = new ArrayList<>(List.of(systemPython, "-S", shim.toString(),
                spec.resultFile().toString(), Double.toString(spec.grace().toMillis() / 1000.0),
                Long.toString(ProcessHandle.current().pid()), "--"));
        cmd.addAll(spec.command());
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(spec.workingDir().toFile());
        pb.environment().clear();
        pb.environment().putAll(spec.env());
        // stdin stays a pipe the agent never closes: its EOF tells the shim the agent is gone.
        pb.redirectInput(ProcessBuilder.Redirect.PIPE);
        Files.deleteIfExists(spec.resultFile());
        try {
            Process p = SPAWNER.submit(pb::start).get();
            return new RunningProcess(p, spec);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while starting " + spec.command());
        } catch (ExecutionException e) {
            Throwable c = e.getCause();
            if (c instanceof IOException io) throw io;
            throw new IOException("cannot start " + spec.command() + ": " + c, c);
        }
    }

    private static Path writeShim(Path dir) {
        try (InputStream in = ProcessLauncher.class.getResourceAsStream("/io/drover/agent/supervisor.py")) {
            if (in == null) throw new IllegalStateException("supervisor.py missing from the agent jar");
            byte[] bytes = in.readAllBytes();
            Files.createDirectories(dir);
            Path target = dir.resolve("supervisor.py");
            if (!Files.exists(target) || !java.util.Arrays.equals(Files.readAllBytes(target), bytes)) {
                Path tmp = Files.createTempFile(dir, "supervisor", ".tmp");
                Files.write(tmp, bytes);
                Files.move(tmp, target, java.nio.file.StandardCopyOption.REPLACE_EXISTING,
                        java.nio.file.StandardCopyOption.ATOMIC_MOVE);
            }
            return target;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the supervisor shim into " + dir, e);
        }
    }
}

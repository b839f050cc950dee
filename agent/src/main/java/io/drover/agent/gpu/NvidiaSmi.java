package io.drover.agent.gpu;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs {@code nvidia-smi} queries. Every failure (not installed, driver not loaded, a hang, a
 * non-zero exit) gives an empty result and a log line: a broken GPU tool must never stop the
 * heartbeat or the agent. A wedged driver can make nvidia-smi hang, so each call has a timeout.
 */
public final class NvidiaSmi {
    private static final Logger LOG = LoggerFactory.getLogger(NvidiaSmi.class);
    private static final Duration TIMEOUT = Duration.ofSeconds(10);

    private final String executable;
    private volatile String lastProblem;

    /** @param executable {@code nvidia-smi} (looked up on PATH) or a path to it */
    public NvidiaSmi(String executable) {
        this.executable = executable == null || executable.isBlank() ? "nvidia-smi" : executable;
    }

    /** Every GPU now, or empty when nvidia-smi is missing or failed. */
    public Optional<List<GpuStat>> gpus() {
        return run("--query-gpu=" + String.join(",", NvidiaSmiParser.GPU_FIELDS), "--format=csv,noheader,nounits")
                .map(NvidiaSmiParser::gpus);
    }

    /** Compute processes on every GPU, or empty when nvidia-smi is missing or failed. */
    public Optional<List<GpuProcess>> processes() {
        return run("--query-compute-apps=" + String.join(",", NvidiaSmiParser.APP_FIELDS), "--format=csv,noheader,nounits")
                .map(NvidiaSmiParser::processes);
    }

    /** Why the last call gave nothing, or null when it worked. */
    public String lastProblem() {
        return lastProblem;
    }

    private Optional<String> run(String... args) {
        List<String> cmd = new ArrayList<>();
        cmd.add(executable);
        cmd.addAll(List.of(args));
        Process p;
        try {
            p = new ProcessBuilder(cmd).redirectErrorStream(false).start();
        } catch (IOException e) {
            return problem("cannot run " + executable + " (" + e.getMessage() + "): no NVIDIA driver tools on this machine");
        }
        try {
            p.getOutputStream().close();
            CompletableFuture<String> out = CompletableFuture.supplyAsync(() -> read(p.getInputStream()));
            CompletableFuture<String> err = CompletableFuture.supplyAsync(() -> read(p.getErrorStream()));
            if (!p.waitFor(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
                p.destroyForcibly();
                return problem(executable + " did not answer within " + TIMEOUT.toSeconds() + " s");
            }
            String stdout = out.get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            if (p.exitValue() != 0) {
                String msg = (err.get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS) + " " + stdout).strip();
                return problem(executable + " exited with " + p.exitValue() + (msg.isEmpty() ? "" : ": " + abbreviate(msg)));
            }
            if (lastProblem != null) LOG.info("{} works again", executable);
            lastProblem = null;
            return Optional.of(stdout);
        } catch (InterruptedException e) {
            p.destroyForcibly();
            Thread.currentThread().interrupt();
            return Optional.empty();
        } catch (Exception e) {
            p.destroyForcibly();
            return problem(executable + " failed: " + e);
        }
    }

    private Optional<String> problem(String why) {
        // logged once per distinct problem: a GPU-less machine would otherwise log every 5 s
        if (!why.equals(lastProblem)) LOG.info("GPU monitoring: {}", why);
        lastProblem = why;
        return Optional.empty();
    }

    private static String read(InputStream in) {
        try (in) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "";
        }
    }

    private static String abbreviate(String s) {
        String one = s.replaceAll("\\s+", " ");
        return one.length() > 300 ? one.substring(0, 300) + "…" : one;
    }
}

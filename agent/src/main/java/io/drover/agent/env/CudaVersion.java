package io.drover.agent.env;

import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The machine's CUDA version from {@code nvidia-smi}'s banner ("CUDA Version: 13.0"): part of the
 * environment cache key, because pip resolves different wheels (torch+cu12x) per CUDA.
 */
public final class CudaVersion {
    private static final Pattern BANNER = Pattern.compile("CUDA Version:\\s*([0-9][0-9.]*)");
    private static volatile String detected;
    private static volatile boolean probed;

    private CudaVersion() {}

    /** The version in {@code nvidia-smi}'s output, or null. */
    public static String parse(String nvidiaSmiOutput) {
        Matcher m = BANNER.matcher(nvidiaSmiOutput == null ? "" : nvidiaSmiOutput);
        return m.find() ? m.group(1) : null;
    }

    /** Asks {@code nvidia-smi} once per agent; null without one (CPU machines). */
    public static String detect() {
        if (probed) return detected;
        synchronized (CudaVersion.class) {
            if (!probed) {
                try {
                    CommandRunner.Result r = CommandRunner.run(List.of("nvidia-smi"), null, Map.of(), null);
                    detected = r.exitCode() == 0 ? parse(String.join("\n", r.lines())) : null;
                } catch (IOException e) {
                    detected = null;
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    detected = null;
                }
                probed = true;
            }
        }
        return detected;
    }
}

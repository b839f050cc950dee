package io.drover.agent.daemon;

import io.drover.agent.gpu.GpuSelection;

/**
 * How much an agent runs at once ({@code drover agent --gpus … --max-parallel N}).
 *
 * @param gpus        the GPUs this agent hands out to tasks (none by default: it then never claims
 *                    a task asking for GPUs and leaves {@code CUDA_VISIBLE_DEVICES} alone)
 * @param maxParallel how many CPU-only tasks ({@code resources.gpus = 0}) run at once (default 1);
 *                    GPU tasks are bounded by the free GPUs instead
 * @param nvidiaSmi   the nvidia-smi executable (default: found on PATH)
 */
public record ParallelConfig(GpuSelection gpus, int maxParallel, String nvidiaSmi) {
    public static final int MAX_PARALLEL = 256;

    public ParallelConfig {
        if (gpus == null) gpus = GpuSelection.NONE;
        if (maxParallel < 1 || maxParallel > MAX_PARALLEL) {
            throw new IllegalArgumentException("--max-parallel must be between 1 and " + MAX_PARALLEL + ", got " + maxParallel);
        }
        if (nvidiaSmi == null || nvidiaSmi.isBlank()) nvidiaSmi = "nvidia-smi";
    }

    /** One task at a time, no GPUs handed out. */
    public static ParallelConfig defaults() {
        return new ParallelConfig(GpuSelection.NONE, 1, null);
    }

    public ParallelConfig withGpus(GpuSelection g) {
        return new ParallelConfig(g, maxParallel, nvidiaSmi);
    }

    public ParallelConfig withMaxParallel(int n) {
        return new ParallelConfig(gpus, n, nvidiaSmi);
    }

    public ParallelConfig withNvidiaSmi(String exe) {
        return new ParallelConfig(gpus, maxParallel, exe);
    }
}

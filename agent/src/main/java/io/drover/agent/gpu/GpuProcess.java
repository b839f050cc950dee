package io.drover.agent.gpu;

/** One compute process on a GPU ({@code nvidia-smi --query-compute-apps}); usedMemMb null when not reported. */
public record GpuProcess(long pid, String processName, String gpuUuid, Long usedMemMb) {}

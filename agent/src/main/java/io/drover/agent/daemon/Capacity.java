package io.drover.agent.daemon;

import io.drover.agent.gpu.GpuAllocator;
import java.util.List;
import java.util.Optional;

/**
 * What this agent can take on now: free CPU-only slots (up to {@code --max-parallel}) and free
 * GPUs. The claim loop asks the controller only for tasks that fit ({@link #fit}), takes room for
 * each claimed task ({@link #take}) and gives it back when the task ends ({@link #give}). Thread-safe.
 */
final class Capacity {
    private final int maxParallel;
    private final GpuAllocator gpus;
    private int cpuRunning;
    /** Told after each {@link #give}, outside the lock: the daemon abandons a claim poll made with a smaller fit. */
    private volatile Runnable onRoomFreed = () -> { };

    Capacity(int maxParallel, GpuAllocator gpus) {
        this.maxParallel = maxParallel;
        this.gpus = gpus;
    }

    GpuAllocator gpus() {
        return gpus;
    }

    /** True when this agent hands out GPUs ({@code --gpus}). */
    boolean managesGpus() {
        return gpus.total() > 0;
    }

    /** The most tasks that can run at once (one workspace slot each). */
    int maxTasks() {
        return maxParallel + gpus.total();
    }

    /**
     * The tasks this agent could start now, as a claim filter, or empty when it is full. With
     * its CPU-only slots busy it still takes GPU tasks while GPUs are free.
     */
    synchronized Optional<ClaimFit> fit() {
        int free = gpus.free();
        boolean cpu = cpuRunning < maxParallel;
        if (!cpu && free == 0) return Optional.empty();
        return Optional.of(new ClaimFit(cpu ? 0 : 1, free));
    }

    /** Whether nothing runs. */
    synchronized boolean idle() {
        return cpuRunning == 0 && gpus.free() == gpus.total();
    }

    /** {@code r} runs after each {@link #give}, on the thread that gave the room back. */
    void onRoomFreed(Runnable r) {
        this.onRoomFreed = r;
    }

    /** Blocks until {@link #fit} has room; returns it. */
    synchronized ClaimFit awaitRoom() throws InterruptedException {
        while (true) {
            Optional<ClaimFit> f = fit();
            if (f.isPresent()) return f.get();
            wait(1000);
        }
    }

    /** Room for a claimed task needing {@code gpuCount} GPUs: its GPU indexes, or empty when there is none. */
    synchronized Optional<List<Integer>> take(String taskId, int gpuCount) {
        if (gpuCount <= 0) {
            if (cpuRunning >= maxParallel) return Optional.empty();
            cpuRunning++;
            return Optional.of(List.of());
        }
        return gpus.allocate(taskId, gpuCount);
    }

    void give(String taskId, int gpuCount) {
        synchronized (this) {
            if (gpuCount <= 0) cpuRunning = Math.max(0, cpuRunning - 1);
            else gpus.release(taskId);
            notifyAll();
        }
        onRoomFreed.run();
    }
}

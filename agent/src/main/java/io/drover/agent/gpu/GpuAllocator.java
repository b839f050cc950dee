package io.drover.agent.gpu;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Which of the agent's GPUs each running task holds. A task gets whole GPUs, lowest free indexes
 * first, and keeps them until it ends; nothing else hands them out meanwhile. Thread-safe.
 */
public final class GpuAllocator {
    /** index → holding task id (null = free), in index order. */
    private final LinkedHashMap<Integer, String> holders = new LinkedHashMap<>();

    public GpuAllocator(List<Integer> managed) {
        managed.stream().sorted().forEach(i -> holders.put(i, null));
    }

    public synchronized int total() {
        return holders.size();
    }

    public synchronized int free() {
        return (int) holders.values().stream().filter(h -> h == null).count();
    }

    /** {@code n} free GPUs now held by {@code taskId}, or empty when fewer are free (nothing is taken then). */
    public synchronized Optional<List<Integer>> allocate(String taskId, int n) {
        if (n <= 0) return Optional.of(List.of());
        List<Integer> got = new ArrayList<>();
        for (Map.Entry<Integer, String> e : holders.entrySet()) {
            if (got.size() == n) break;
            if (e.getValue() == null) got.add(e.getKey());
        }
        if (got.size() < n) return Optional.empty();
        for (int i : got) holders.put(i, taskId);
        return Optional.of(Collections.unmodifiableList(got));
    }

    /** Frees what {@code taskId} holds. */
    public synchronized void release(String taskId) {
        holders.replaceAll((i, h) -> taskId.equals(h) ? null : h);
    }

    /** The task holding GPU {@code index}, or null. */
    public synchronized String holder(int index) {
        return holders.get(index);
    }

    public synchronized boolean manages(int index) {
        return holders.containsKey(index);
    }

    /** {@code CUDA_VISIBLE_DEVICES} for a set of indexes: "0,1", or "" (no GPU visible). */
    public static String visibleDevices(List<Integer> gpus) {
        return String.join(",", gpus.stream().map(String::valueOf).toList());
    }
}

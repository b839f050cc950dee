package io.drover.agent.gpu;

import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;

/**
 * The {@code --gpus} flag: {@code all} (every GPU nvidia-smi lists), a list of indexes
 * {@code 0,1,3}, or {@code none} (the default: this agent hands out no GPUs and leaves
 * {@code CUDA_VISIBLE_DEVICES} alone).
 */
public record GpuSelection(boolean all, List<Integer> indexes) {
    public static final GpuSelection NONE = new GpuSelection(false, List.of());
    public static final GpuSelection ALL = new GpuSelection(true, List.of());

    public GpuSelection {
        indexes = List.copyOf(indexes);
    }

    /** @throws IllegalArgumentException with a message for the user */
    public static GpuSelection parse(String spec) {
        if (spec == null || spec.isBlank() || spec.trim().equalsIgnoreCase("none")) return NONE;
        String s = spec.trim();
        if (s.equalsIgnoreCase("all")) return ALL;
        TreeSet<Integer> out = new TreeSet<>();
        for (String part : s.split(",")) {
            String p = part.trim();
            try {
                int i = Integer.parseInt(p);
                if (i < 0 || i > 1023) throw new NumberFormatException();
                if (!out.add(i)) throw new IllegalArgumentException("--gpus lists GPU " + i + " twice");
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("--gpus '" + spec + "': '" + p
                        + "' is not a GPU index; use all, none, or indexes like 0,1 (see nvidia-smi -L)");
            }
        }
        return new GpuSelection(false, new ArrayList<>(out));
    }

    public boolean isNone() {
        return !all && indexes.isEmpty();
    }

    /** The GPUs to manage, given the ones detected; a listed index that is not there is an error. */
    public List<Integer> resolve(List<GpuStat> detected) {
        List<Integer> present = detected.stream().map(GpuStat::index).sorted().toList();
        if (all) {
            if (present.isEmpty()) {
                throw new IllegalArgumentException("--gpus all: nvidia-smi found no GPU on this machine"
                        + " (is the NVIDIA driver installed? run nvidia-smi -L); start without --gpus for CPU-only work");
            }
            return present;
        }
        for (int i : indexes) {
            if (!present.contains(i)) {
                throw new IllegalArgumentException("--gpus: GPU " + i + " is not on this machine; nvidia-smi lists "
                        + (present.isEmpty() ? "none" : present.toString()));
            }
        }
        return indexes;
    }

    @Override
    public String toString() {
        return all ? "all" : isNone() ? "none" : indexes.toString();
    }
}

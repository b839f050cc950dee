package io.drover.agent.daemon;

import com.fasterxml.jackson.databind.JsonNode;
import io.drover.agent.capture.SecretMask;
import io.drover.agent.launch.TaskProcess;
import java.util.List;
import java.util.Map;

/**
 * One claimed task while this agent holds it: its lease, and the three ways it can be cut short.
 * Set from other threads (control long-poll, heartbeat, shutdown), read by the slot's runner.
 */
final class TaskRun {
    /** Why a task stops before its process ends on its own. */
    enum Stop { NONE, ABORT, RELEASE, ABANDON }

    final JsonNode task;
    final String taskId;
    final long epoch;
    final String token;
    /** The project's secrets from the claim (name → value): environment of the task, masked in its logs. */
    final Map<String, String> secrets;
    /** Masks {@link #secrets} in everything the task or the agent writes about it. */
    final SecretMask mask;
    /** The GPU indexes this agent gave the task (empty for none); set once, before the task starts. */
    private volatile List<Integer> gpus = List.of();
    /** Whether this agent hands out GPUs ({@code --gpus}): then the task sees only {@link #gpus}. */
    private volatile boolean gpusManaged;
    private Stop stop = Stop.NONE;
    private String reason;
    private TaskProcess process;

    TaskRun(JsonNode task, long epoch, String token) {
        this(task, epoch, token, Map.of());
    }

    TaskRun(JsonNode task, long epoch, String token, Map<String, String> secrets) {
        this.task = task;
        this.taskId = task.path("id").asText();
        this.epoch = epoch;
        this.token = token;
        this.secrets = Map.copyOf(secrets);
        this.mask = SecretMask.of(this.secrets);
    }

    /** The claim's {@code "secrets"} object as a map; string values only. */
    static Map<String, String> secrets(JsonNode claimSecrets) {
        Map<String, String> out = new java.util.LinkedHashMap<>();
        if (claimSecrets != null && claimSecrets.isObject()) {
            claimSecrets.fields().forEachRemaining(e -> {
                if (e.getValue().isTextual()) out.put(e.getKey(), e.getValue().asText());
            });
        }
        return out;
    }

    /** {@code resources.gpus} of the task: how many GPUs it asked for. */
    int gpusWanted() {
        return Math.max(0, task.path("resources").path("gpus").asInt(0));
    }

    void assignGpus(List<Integer> indexes, boolean managed) {
        this.gpus = List.copyOf(indexes);
        this.gpusManaged = managed;
    }

    /** The GPU indexes the task runs on (for the Docker device request too); empty for a CPU task. */
    List<Integer> gpus() {
        return gpus;
    }

    boolean gpusManaged() {
        return gpusManaged;
    }

    /**
     * {@code CUDA_VISIBLE_DEVICES} and {@code NVIDIA_VISIBLE_DEVICES} set to the task's own GPUs
     * ("" hides every GPU from a CPU task) when this agent manages GPUs; nothing otherwise.
     * {@code CUDA_DEVICE_ORDER=PCI_BUS_ID} makes CUDA number the GPUs as nvidia-smi does (its
     * default puts the fastest first, so on a mixed box index 0 could be another card).
     */
    Map<String, String> deviceEnv() {
        if (!gpusManaged) return Map.of();
        String v = io.drover.agent.gpu.GpuAllocator.visibleDevices(gpus);
        return Map.of("CUDA_VISIBLE_DEVICES", v, "NVIDIA_VISIBLE_DEVICES", v, "CUDA_DEVICE_ORDER", "PCI_BUS_ID");
    }

    /** User abort: kill the process, finish as aborted. */
    void abort(String why) {
        request(Stop.ABORT, why == null || why.isBlank() ? "aborted" : why);
    }

    /** Agent shutdown: kill the process, hand the task back to its queue. */
    void release(String why) {
        request(Stop.RELEASE, why);
    }

    /** The lease moved on: kill the process and write nothing more. */
    void abandon(String why) {
        request(Stop.ABANDON, why);
    }

    private void request(Stop s, String why) {
        TaskProcess p;
        synchronized (this) {
            // abandon beats everything; release beats abort (the task goes back to its queue)
            if (s.ordinal() <= stop.ordinal()) return;
            stop = s;
            reason = why;
            p = process;
        }
        if (p != null) p.stop();
    }

    /** Registers the process; stops it at once when a stop came in before it started. */
    void attach(TaskProcess p) {
        boolean stopNow;
        synchronized (this) {
            process = p;
            stopNow = stop != Stop.NONE;
        }
        if (stopNow) p.stop();
    }

    synchronized Stop stop() {
        return stop;
    }

    synchronized String reason() {
        return reason;
    }
}

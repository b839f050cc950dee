package io.drover.controller.workers;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.drover.shared.json.Json;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Iterator;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The last hour of each worker's machine stats (CPU, memory, per-GPU), for the workers page's
 * sparklines: {@code GET /workers/{name}/stats}. Kept in memory only (a restart starts empty):
 * it is a view of the recent past, not a record. Bounded: one sample per heartbeat period (at
 * least 1 s apart; at most {@link #MAX_SAMPLES} a worker, 720 at the default 5 s), at most
 * {@link #MAX_WORKERS} workers (the longest silent one is dropped), and each sample keeps only the
 * documented fields of at most {@link #MAX_GPUS} GPUs.
 */
public final class WorkerHistory {
    public static final Duration WINDOW = Duration.ofHours(1);
    public static final int MAX_SAMPLES = 3600;
    public static final int MAX_WORKERS = 10_000;
    public static final int MAX_GPUS = 64;
    private static final String[] GPU_FIELDS = {"index", "uuid", "name", "util", "memUsedMb", "memTotalMb", "tempC", "powerW", "taskId"};

    private record Sample(long ts, ObjectNode json) {}

    /** Told of each sample recorded from this node's own heartbeats (the cluster bridge shares them). */
    @FunctionalInterface
    public interface Recorded {
        void recorded(String worker, ObjectNode sample, Instant at);
    }

    private final Map<String, ArrayDeque<Sample>> byWorker = new ConcurrentHashMap<>();
    private volatile Recorded onRecord = (w, s, at) -> {};
    private final long spacingMs;
    private final int maxSamples;

    /** @param heartbeat the agents' heartbeat period: one sample per period is kept (at least 1 s apart) */
    public WorkerHistory(Duration heartbeat) {
        this.spacingMs = Math.max(1000, heartbeat.toMillis());
        this.maxSamples = (int) Math.min(MAX_SAMPLES, WINDOW.toMillis() / spacingMs + 1);
    }

    /** Sets who is told of this node's samples (null = nobody). */
    public void onRecord(Recorded r) {
        this.onRecord = r == null ? (w, s, at) -> {} : r;
    }

    /** Records the {@code stats} object of a heartbeat or registration taken at {@code now}. */
    public void record(String worker, JsonNode stats, Instant now) {
        ObjectNode kept = put(worker, stats, now);
        if (kept != null) onRecord.recorded(worker, kept, now);
    }

    /**
     * Records a sample another cluster node took (a heartbeat that reached it), without telling
     * {@link #onRecord} again. The sample is re-filtered: a peer's message is bounded like an agent's.
     */
    public void replay(String worker, JsonNode sample, Instant at) {
        put(worker, sample, at);
    }

    private ObjectNode put(String worker, JsonNode stats, Instant now) {
        if (worker == null || stats == null || !stats.isObject()) return null;
        long ts = now.toEpochMilli();
        if (!byWorker.containsKey(worker) && byWorker.size() >= MAX_WORKERS) evictOldest();
        ArrayDeque<Sample> ring = byWorker.computeIfAbsent(worker, w -> new ArrayDeque<>());
        Sample s = new Sample(ts, sample(stats, ts));
        synchronized (ring) {
            Sample last = ring.peekLast();
            // one sample per slot of the heartbeat period: an extra heartbeat (re-registration) replaces, never adds
            if (last != null && last.ts() / spacingMs == ts / spacingMs) ring.pollLast();
            ring.addLast(s);
            long from = ts - WINDOW.toMillis();
            while (!ring.isEmpty() && (ring.size() > maxSamples || ring.peekFirst().ts() < from)) ring.pollFirst();
        }
        return s.json();
    }

    /** Samples of the last {@code minutes}, oldest first: {@code {"items":[{"ts","cpuPercent","memUsedMb","memTotalMb","gpus"}]}}. */
    public ObjectNode since(String worker, int minutes, Instant now) {
        ObjectNode o = Json.object();
        ArrayNode items = o.putArray("items");
        ArrayDeque<Sample> ring = byWorker.get(worker);
        if (ring == null) return o;
        long from = now.toEpochMilli() - Duration.ofMinutes(minutes).toMillis();
        synchronized (ring) {
            for (Sample s : ring) {
                if (s.ts() >= from) items.add(s.json());
            }
        }
        return o;
    }

    /** The documented fields only: an agent's extra keys must not grow memory. */
    private static ObjectNode sample(JsonNode stats, long ts) {
        ObjectNode s = Json.object().put("ts", Instant.ofEpochMilli(ts).toString());
        for (String f : new String[] {"cpuPercent", "memUsedMb", "memTotalMb"}) {
            JsonNode v = stats.get(f);
            if (v != null && v.isNumber()) s.set(f, v);
            else s.putNull(f);
        }
        ArrayNode gpus = s.putArray("gpus");
        JsonNode g = stats.get("gpus");
        if (g != null && g.isArray()) {
            for (JsonNode one : g) {
                if (gpus.size() >= MAX_GPUS || !one.isObject()) break;
                ObjectNode kept = gpus.addObject();
                for (String f : GPU_FIELDS) {
                    JsonNode v = one.get(f);
                    if (v != null && (v.isNumber() || (v.isTextual() && v.asText().length() <= 256))) kept.set(f, v);
                }
            }
        }
        return s;
    }

    private void evictOldest() {
        String oldest = null;
        long at = Long.MAX_VALUE;
        for (Iterator<Map.Entry<String, ArrayDeque<Sample>>> it = byWorker.entrySet().iterator(); it.hasNext(); ) {
            Map.Entry<String, ArrayDeque<Sample>> e = it.next();
            Sample last;
            synchronized (e.getValue()) {
                last = e.getValue().peekLast();
            }
            long t = last == null ? Long.MIN_VALUE : last.ts();
            if (t < at) {
                at = t;
                oldest = e.getKey();
            }
        }
        if (oldest != null) byWorker.remove(oldest);
    }
}

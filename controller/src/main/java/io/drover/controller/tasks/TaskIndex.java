package io.drover.controller.tasks;

import com.mongodb.client.MongoCollection;
import com.mongodb.client.model.Projections;
import io.drover.queue.TaskFields;
import io.drover.shared.domain.DroverException;
import io.drover.shared.domain.ErrorCode;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Comparator;
import java.util.Iterator;
import java.util.List;
import java.util.PriorityQueue;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import org.bson.Document;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The experiments table's in-memory index: one compact {@link TaskIndexRow} per task, so that
 * {@code GET /tasks} filters, sorts and pages without a store scan (the embedded store has no
 * secondary indexes: every filtered or sorted find is a full scan that sorts in memory anyway).
 *
 * <p>It is a cache of the store, never the truth: writes go to the store first, then
 * {@link TaskEvents#changed} marks the task dirty and the row is re-read by {@code _id} (off the
 * event loop, coalesced: many changes of one task cost one read). {@link #query} first re-reads
 * whatever is still dirty, so a list that follows a write sees it (read-your-writes). Filled at
 * start by one projection scan ({@link #load}), in the background ({@link #loadInBackground}):
 * 100,000 tasks take 7–10 s to read, and agents need not wait for the experiments table.
 * Listings wait for the first load (up to {@link #LOAD_WAIT}, then 503 with what to do).
 */
public final class TaskIndex implements TaskEvents.Listener {
    private static final Logger log = LoggerFactory.getLogger(TaskIndex.class);

    static final int LOAD_BATCH = 2_000;
    /** How long a listing waits for the first load before it answers "try again". */
    static final Duration LOAD_WAIT = Duration.ofSeconds(30);

    private final MongoCollection<Document> tasks;
    private final Consumer<Runnable> soon;
    private final Duration loadWait;
    private final Duration retryEvery;
    private final ConcurrentHashMap<String, TaskIndexRow> rows = new ConcurrentHashMap<>();
    private final Set<String> dirty = ConcurrentHashMap.newKeySet();
    private final AtomicBoolean scheduled = new AtomicBoolean();
    /** One refresh (or load) at a time, so an older read never overwrites a newer row. */
    private final Object refreshLock = new Object();
    private volatile boolean refreshing;
    private final TaskIndexRow.Interner interner = new TaskIndexRow.Interner(200_000);
    /** Open once the first load has filled {@link #rows}: until then every read waits for it. */
    private final CountDownLatch loaded = new CountDownLatch(1);

    /**
     * @param soon runs a refresh shortly, on a thread that may block on the store (the controller
     *             passes a short timer that hands it to the store pool)
     */
    public TaskIndex(MongoCollection<Document> tasks, Consumer<Runnable> soon) {
        this(tasks, soon, LOAD_WAIT, Duration.ofSeconds(5));
    }

    /** @param loadWait how long a read waits for the first load; @param retryEvery pause after a failed load */
    TaskIndex(MongoCollection<Document> tasks, Consumer<Runnable> soon, Duration loadWait, Duration retryEvery) {
        this.tasks = tasks;
        this.soon = soon;
        this.loadWait = loadWait;
        this.retryEvery = retryEvery;
    }

    /** Reads every task (a projection of the row fields). Register as a listener first: changes meanwhile are re-read after. */
    public void load() {
        long t0 = System.nanoTime();
        synchronized (refreshLock) {
            rows.clear();
            // batches: without a batch size the embedded store answers with every task in one
            // reply, which the driver refuses past 48 MB (about 70,000 tasks)
            for (Document d : tasks.find().projection(Projections.include(TaskIndexRow.FIELDS)).batchSize(LOAD_BATCH)) put(d);
        }
        loaded.countDown(); // before the refresh below, which would otherwise wait for itself
        refresh();
        log.info("task index: {} tasks loaded in {} ms", rows.size(), (System.nanoTime() - t0) / 1_000_000);
    }

    /**
     * {@link #load} on a thread of its own, so the controller serves agents meanwhile; a failed
     * load (store not reachable yet) is retried every 5 s until it succeeds or the store is closed.
     */
    public void loadInBackground(BooleanSupplier storeClosed) {
        Thread t = new Thread(() -> {
            for (int attempt = 1; !storeClosed.getAsBoolean(); attempt++) {
                try {
                    load();
                    return;
                } catch (RuntimeException e) {
                    if (storeClosed.getAsBoolean()) return; // the controller stopped during the load
                    log.warn("task index: load failed (attempt {}), retrying in {} ms: {}", attempt, retryEvery.toMillis(), e.toString());
                }
                try {
                    Thread.sleep(retryEvery.toMillis());
                } catch (InterruptedException e) {
                    return;
                }
            }
        }, "drover-task-index-load");
        t.setDaemon(true);
        t.start();
    }

    /** Waits for the first load; a listing asked during a long one is told to come back. */
    private void awaitLoaded() {
        try {
            if (loaded.await(loadWait.toMillis(), TimeUnit.MILLISECONDS)) return;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        throw new DroverException(ErrorCode.UNAVAILABLE,
                "the controller is still loading its task list (" + rows.size() + " tasks so far); try again in a few seconds");
    }

    public int size() {
        return rows.size();
    }

    /** The row of a task, or null (after pending changes are applied). */
    public TaskIndexRow row(String id) {
        refresh();
        return rows.get(id);
    }

    @Override
    public void changed(String taskId) {
        if (taskId == null) return;
        dirty.add(taskId);
        if (scheduled.compareAndSet(false, true)) {
            soon.accept(() -> {
                scheduled.set(false);
                // during the first load: it re-reads what is dirty when it ends, no need to hold a thread
                if (loaded.getCount() > 0) return;
                try {
                    refresh();
                } catch (RuntimeException e) {
                    log.warn("task index refresh failed; the next change or list retries", e);
                }
            });
        }
    }

    /** Re-reads the tasks changed since the last refresh. Blocks on the store. */
    public void refresh() {
        awaitLoaded();
        // a refresh in progress may hold rows already taken off the dirty set: wait for it too
        if (dirty.isEmpty() && !refreshing) return;
        synchronized (refreshLock) {
            refreshing = true;
            try {
                drainDirty();
            } finally {
                refreshing = false;
            }
        }
    }

    private void drainDirty() {
        for (Iterator<String> it = dirty.iterator(); it.hasNext(); ) {
            String id = it.next();
            it.remove(); // before the read: a change during the read marks it dirty again
            try {
                Document d = tasks.find(TaskFields.byId(id)).projection(Projections.include(TaskIndexRow.FIELDS)).first();
                if (d == null) rows.remove(id);
                else put(d);
            } catch (RuntimeException e) {
                dirty.add(id);
                throw e;
            }
        }
    }

    private void put(Document d) {
        String id = d.getString(TaskFields.ID);
        if (id != null) rows.put(id, TaskIndexRow.of(d, interner));
    }

    // ---------------------------------------------------------------- queries

    /** The ids of one page, in order, and how many tasks match. */
    public record Result(List<String> ids, long total) {}

    /** @param visible the projects the caller may read (null: all) */
    public Result query(TaskIndexQuery q, Set<String> visible) {
        refresh();
        Filter f = new Filter(q, visible);
        Collection<TaskIndexRow> source;
        if (!q.ids().isEmpty()) {
            source = new ArrayList<>();
            for (String id : q.ids()) {
                TaskIndexRow r = rows.get(id);
                if (r != null) source.add(r);
            }
        } else {
            source = rows.values();
        }
        TaskIndexQuery.Sort sort = q.sort();
        Comparator<Hit> order = comparator(sort.desc());
        int k = (int) Math.min((long) q.offset() + q.limit(), Integer.MAX_VALUE);
        // keep only the best k when the page is near the top: O(n log k) instead of sorting every match
        PriorityQueue<Hit> best = new PriorityQueue<>(Math.min(k, 1024) + 1, order.reversed());
        List<Hit> all = k > 5_000 ? new ArrayList<>() : null;
        long total = 0;
        for (TaskIndexRow r : source) {
            if (!f.test(r)) continue;
            total++;
            Hit h = hit(r, sort);
            if (all != null) {
                all.add(h);
            } else if (best.size() < k) {
                best.add(h);
            } else if (order.compare(h, best.peek()) < 0) {
                best.poll();
                best.add(h);
            }
        }
        Hit[] sorted = (all != null ? all : best).toArray(new Hit[0]);
        Arrays.sort(sorted, order);
        List<String> ids = new ArrayList<>(q.limit());
        for (int i = q.offset(); i < sorted.length && ids.size() < q.limit(); i++) ids.add(sorted[i].row.id());
        return new Result(ids, total);
    }

    /** A row with its sort key: rank 0 number, 1 text, 2 missing (always last). */
    private record Hit(TaskIndexRow row, int rank, double num, String str) {}

    private static Hit hit(TaskIndexRow r, TaskIndexQuery.Sort s) {
        return switch (s.key()) {
            case CREATED_AT -> time(r, r.createdAt());
            case UPDATED_AT -> time(r, r.updatedAt());
            case PRIORITY -> new Hit(r, 0, r.priority(), null);
            case NAME -> text(r, r.name());
            case STATUS -> text(r, r.status());
            case USER -> text(r, r.user());
            case QUEUE -> text(r, r.queue());
            case METRIC -> {
                double v = r.metric(s.field());
                yield Double.isNaN(v) ? new Hit(r, 2, 0, null) : new Hit(r, 0, v, null);
            }
            case PARAM -> {
                String v = r.param(s.field());
                double n = number(v);
                // numeric when the value parses as a number; numbers before text, so the order stays total
                yield v == null ? new Hit(r, 2, 0, null) : Double.isNaN(n) ? new Hit(r, 1, 0, v) : new Hit(r, 0, n, null);
            }
        };
    }

    private static Hit time(TaskIndexRow r, long t) {
        return t == TaskIndexRow.NO_TIME ? new Hit(r, 2, 0, null) : new Hit(r, 0, t, null);
    }

    private static Hit text(TaskIndexRow r, String s) {
        return s == null ? new Hit(r, 2, 0, null) : new Hit(r, 1, 0, s);
    }

    private static double number(String v) {
        if (v == null || v.isEmpty() || v.length() > 64) return Double.NaN;
        char c = v.charAt(0);
        if (!(Character.isDigit(c) || c == '-' || c == '+' || c == '.')) return Double.NaN; // cheap reject before parsing
        try {
            double d = Double.parseDouble(v.trim());
            return Double.isFinite(d) ? d : Double.NaN;
        } catch (NumberFormatException e) {
            return Double.NaN;
        }
    }

    private static Comparator<Hit> comparator(boolean desc) {
        return (a, b) -> {
            int c = Integer.compare(a.rank, b.rank);
            if (c != 0) return c; // missing last in both directions
            if (a.rank == 0) c = Double.compare(a.num, b.num);
            else if (a.rank == 1) c = a.str.compareTo(b.str);
            if (c == 0) c = a.row.id().compareTo(b.row.id());
            return desc ? -c : c;
        };
    }

    /** The filters of a query, cheapest first. */
    private static final class Filter {
        private final TaskIndexQuery q;
        private final Set<String> visible;
        private final String lower;

        Filter(TaskIndexQuery q, Set<String> visible) {
            this.q = q;
            this.visible = visible;
            this.lower = q.text() == null ? null : q.text().toLowerCase(java.util.Locale.ROOT);
        }

        boolean test(TaskIndexRow r) {
            Boolean archived = q.archived();
            if (archived != null ? r.archived() != archived : r.archived() && q.ids().isEmpty()) return false;
            if (q.project() != null && !q.project().equals(r.project())) return false;
            if (visible != null && (r.project() == null || !visible.contains(r.project()))) return false; // a TreeSet refuses null
            if (!q.statuses().isEmpty() && !q.statuses().contains(r.status())) return false;
            if (q.queue() != null && !q.queue().equals(r.queue())) return false;
            if (q.user() != null && !q.user().equals(r.user())) return false;
            for (String t : q.tags()) if (!r.hasTag(t)) return false;
            return lower == null || r.id().startsWith(lower) || r.nameLower().contains(lower);
        }
    }
}

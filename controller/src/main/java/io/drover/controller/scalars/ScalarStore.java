package io.drover.controller.scalars;

import com.mongodb.ErrorCategory;
import com.mongodb.MongoWriteException;
import com.mongodb.client.MongoCollection;
import com.mongodb.client.MongoDatabase;
import com.mongodb.client.model.Filters;
import com.mongodb.client.model.IndexOptions;
import com.mongodb.client.model.Indexes;
import com.mongodb.client.model.Projections;
import com.mongodb.client.model.PushOptions;
import com.mongodb.client.model.UpdateOptions;
import com.mongodb.client.model.Updates;
import io.drover.queue.TaskFields;
import io.drover.shared.domain.DroverException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.bson.Document;
import org.bson.conversions.Bson;

/**
 * Scalar series of tasks, stored so that every read and write is an exact {@code _id} lookup
 * (the embedded store ignores non-unique indexes):
 * <ul>
 *   <li>{@code scalar_buckets}: one document per series and range of {@link #BUCKET_ITERS}
 *   iterations, {@code _id = task:metric:variant:bucketNo} (bucketNo = iter / 1000), holding
 *   parallel arrays {@code i} (iter), {@code y} (value), {@code t} (epoch ms), appended with
 *   {@code $push} in upserts.</li>
 *   <li>{@code scalar_series}: one document per series, {@code _id = task:metric:variant}, with
 *   the running count/min/max/last and, under {@code s.o<bucketNo>}, the summary of every bucket
 *   document (n, min, max, sum, iteration and time range), computed at write time. A coarse
 *   chart of a 1,000,000-point series reads this one document, never the points.</li>
 *   <li>the task document: {@code metrics.<field>} = {m, v, n, last, min, max, iter, ts} per
 *   series (the per-task series index, and what task tables show and sort by), plus
 *   {@code scalarBatches}/{@code scalarBatchN} for idempotent agent batches.</li>
 * </ul>
 * Series documents are updated by compare-and-set on {@code rev} (a unique {@code {_id, rev}}
 * index, so the filter is an exact unique-key lookup), so concurrent batches of one task never
 * lose a summary. Every method blocks: call it off the event loop.
 */
public final class ScalarStore {
    public static final String BUCKETS = "scalar_buckets";
    public static final String SERIES = "scalar_series";
    /** Field on the task document: the series of the task and their summaries. */
    public static final String METRICS = "metrics";
    static final String BATCHES = "scalarBatches";
    static final String BATCH_N = "scalarBatchN";
    public static final long BUCKET_ITERS = 1000;
    static final int BATCH_WINDOW = 128;
    /** Below this many points a downsampled read bins the raw points; above it, the stored bucket summaries. */
    static final long RAW_BIN_BUDGET = 200_000;
    private static final int CAS_ATTEMPTS = 100;

    private final MongoCollection<Document> tasks;
    private final MongoCollection<Document> buckets;
    private final MongoCollection<Document> series;

    public ScalarStore(MongoDatabase db) {
        this.tasks = db.getCollection(TaskFields.COLLECTION);
        this.buckets = db.getCollection(BUCKETS);
        this.series = db.getCollection(SERIES);
        series.createIndex(Indexes.ascending("_id", "rev"), new IndexOptions().unique(true));
    }

    /** What an append did. */
    public record Appended(int stored, boolean duplicate) {}

    /**
     * Stores a batch from the agent, fenced by the lease epoch; a batch number seen before for
     * this epoch is acknowledged without storing it again.
     *
     * @throws DroverException not_found, stale_lease (409), bad_request without an epoch
     */
    public Appended appendLeased(String taskId, ScalarBatch b) {
        if (b.epoch() == null) throw DroverException.badRequest("field 'epoch' is required on the agent route: the lease epoch of the claim");
        for (int attempt = 0; attempt < CAS_ATTEMPTS; attempt++) {
            Document task = tasks.find(TaskFields.byId(taskId))
                    .projection(Projections.include(TaskFields.STATUS, TaskFields.EPOCH, BATCH_N, BATCHES)).first();
            if (task == null) throw DroverException.notFound("task", taskId);
            if (!"running".equals(task.getString(TaskFields.STATUS)) || longOf(task.get(TaskFields.EPOCH)) != b.epoch()) {
                throw DroverException.staleLease(taskId, b.epoch());
            }
            if (b.batch() == null) return new Appended(write(taskId, b.points()), false);
            String key = b.epoch() + ":" + b.batch();
            for (Object o : task.getList(BATCHES, Object.class, List.of())) {
                if (key.equals(o)) return new Appended(0, true);
            }
            // claim the batch number first: a retry after a lost reply is then never stored twice
            // (a controller crash between the claim and the writes loses that batch instead)
            Object have = task.get(BATCH_N);
            Bson filter = new Document((Document) TaskFields.fence(taskId, b.epoch())).append(BATCH_N, have);
            Bson update = Updates.combine(Updates.set(BATCH_N, longOf(have) + 1),
                    Updates.pushEach(BATCHES, List.of(key), new PushOptions().slice(-BATCH_WINDOW)));
            if (tasks.updateOne(filter, update).getMatchedCount() == 1) return new Appended(write(taskId, b.points()), false);
        }
        throw new IllegalStateException("could not record scalar batch for task " + taskId + ": too many concurrent batches");
    }

    /** Stores a batch from a user key (a run outside an agent): no lease, no fencing, in any status. */
    public Appended appendUnleased(String taskId, ScalarBatch b) {
        if (tasks.find(TaskFields.byId(taskId)).projection(Projections.include(TaskFields.ID)).first() == null) {
            throw DroverException.notFound("task", taskId);
        }
        return new Appended(write(taskId, b.points()), false);
    }

    private int write(String taskId, List<ScalarBatch.Point> points) {
        Map<SeriesKey, TreeMap<Long, List<ScalarBatch.Point>>> bySeries = new LinkedHashMap<>();
        for (ScalarBatch.Point p : points) {
            bySeries.computeIfAbsent(new SeriesKey(taskId, p.metric(), p.variant()), k -> new TreeMap<>())
                    .computeIfAbsent(p.iter() / BUCKET_ITERS, k -> new ArrayList<>()).add(p);
        }
        for (Map.Entry<SeriesKey, TreeMap<Long, List<ScalarBatch.Point>>> e : bySeries.entrySet()) {
            SeriesKey k = e.getKey();
            for (Map.Entry<Long, List<ScalarBatch.Point>> be : e.getValue().entrySet()) {
                List<ScalarBatch.Point> ps = be.getValue();
                List<Long> is = new ArrayList<>(ps.size());
                List<Double> ys = new ArrayList<>(ps.size());
                List<Long> ts = new ArrayList<>(ps.size());
                for (ScalarBatch.Point p : ps) {
                    is.add(p.iter());
                    ys.add(p.value());
                    ts.add(p.ts());
                }
                buckets.updateOne(Filters.eq("_id", k.bucketId(be.getKey())),
                        Updates.combine(Updates.pushEach("i", is), Updates.pushEach("y", ys), Updates.pushEach("t", ts),
                                Updates.setOnInsert("task", taskId)),
                        new UpdateOptions().upsert(true));
            }
            SeriesSummary s = updateSeries(k, e.getValue());
            tasks.updateOne(TaskFields.byId(taskId), Updates.set(METRICS + "." + k.field(),
                    new Document("m", s.metric()).append("v", s.variant()).append("n", s.count()).append("last", s.last())
                            .append("min", s.min()).append("max", s.max()).append("iter", s.iter()).append("ts", s.lastTs())));
        }
        return points.size();
    }

    /** Merges the new points into the series document's summaries (compare-and-set on rev). */
    private SeriesSummary updateSeries(SeriesKey k, TreeMap<Long, List<ScalarBatch.Point>> byBucket) {
        for (int attempt = 0; attempt < CAS_ATTEMPTS; attempt++) {
            Document doc = series.find(Filters.eq("_id", k.seriesId())).first();
            Document sums = doc == null ? new Document() : doc.get("s", Document.class);
            long n = doc == null ? 0 : longOf(doc.get("n"));
            double min = doc == null ? Double.POSITIVE_INFINITY : doc.getDouble("min");
            double max = doc == null ? Double.NEGATIVE_INFINITY : doc.getDouble("max");
            double last = doc == null ? 0 : doc.getDouble("last");
            long iter = doc == null ? -1 : longOf(doc.get("iter"));
            long lastTs = doc == null ? 0 : longOf(doc.get("ts"));
            List<Bson> sets = new ArrayList<>();
            Document changed = new Document();
            for (Map.Entry<Long, List<ScalarBatch.Point>> be : byBucket.entrySet()) {
                String field = bucketField(be.getKey());
                Document old = sums == null ? null : sums.get(field, Document.class);
                BucketSummary bs = old == null ? BucketSummary.EMPTY : BucketSummary.of(be.getKey(), old);
                for (ScalarBatch.Point p : be.getValue()) {
                    bs = bs.plus(be.getKey(), p);
                    n++;
                    min = Math.min(min, p.value());
                    max = Math.max(max, p.value());
                    if (p.iter() >= iter) {
                        iter = p.iter();
                        last = p.value();
                        lastTs = p.ts();
                    }
                }
                changed.append(field, bs.toDocument());
                sets.add(Updates.set("s." + field, bs.toDocument()));
            }
            SeriesSummary out = new SeriesSummary(k.metric(), k.variant(), n, last, min, max, iter, lastTs);
            if (doc == null) {
                Document fresh = new Document("_id", k.seriesId()).append("rev", 1L).append("task", k.taskId())
                        .append("m", k.metric()).append("v", k.variant()).append("n", n).append("min", min).append("max", max)
                        .append("last", last).append("iter", iter).append("ts", lastTs).append("s", changed);
                try {
                    series.insertOne(fresh);
                    return out;
                } catch (MongoWriteException ex) {
                    if (ex.getError().getCategory() != ErrorCategory.DUPLICATE_KEY) throw ex;
                    continue; // another batch created it first: merge into theirs
                }
            }
            long rev = longOf(doc.get("rev"));
            sets.add(Updates.set("rev", rev + 1));
            sets.add(Updates.set("n", n));
            sets.add(Updates.set("min", min));
            sets.add(Updates.set("max", max));
            sets.add(Updates.set("last", last));
            sets.add(Updates.set("iter", iter));
            sets.add(Updates.set("ts", lastTs));
            if (series.updateOne(new Document("_id", k.seriesId()).append("rev", rev), Updates.combine(sets)).getMatchedCount() == 1) {
                return out;
            }
        }
        throw new IllegalStateException("could not update series " + k.display() + ": too many concurrent batches");
    }

    // ---------------------------------------------------------------- reading

    /** The series of a task with their summaries, from the task document alone. */
    public List<SeriesSummary> list(String taskId) {
        Document task = tasks.find(TaskFields.byId(taskId)).projection(Projections.include(METRICS)).first();
        if (task == null) throw DroverException.notFound("task", taskId);
        return summaries(task);
    }

    /** The summaries kept on a task document (also used by the task JSON). */
    public static List<SeriesSummary> summaries(Document task) {
        List<SeriesSummary> out = new ArrayList<>();
        if (!(task.get(METRICS) instanceof Document m)) return out;
        for (Object o : m.values()) {
            if (!(o instanceof Document d)) continue;
            out.add(new SeriesSummary(d.getString("m"), d.getString("v"), longOf(d.get("n")), dbl(d.get("last")),
                    dbl(d.get("min")), dbl(d.get("max")), longOf(d.get("iter")), longOf(d.get("ts"))));
        }
        out.sort(Comparator.comparing(SeriesSummary::metric).thenComparing(SeriesSummary::variant));
        return out;
    }

    /** The series document, or null. */
    Document seriesDoc(String taskId, String metric, String variant) {
        return series.find(Filters.eq("_id", new SeriesKey(taskId, metric, variant).seriesId())).first();
    }

    /** The bucket summaries of a series document, in iteration order. */
    static List<BucketSummary> bucketSummaries(Document seriesDoc) {
        Document s = seriesDoc.get("s", Document.class);
        List<BucketSummary> out = new ArrayList<>();
        if (s == null) return out;
        new TreeMap<>(s).forEach((field, v) -> out.add(BucketSummary.of(Long.parseLong(field.substring(1)), (Document) v)));
        return out;
    }

    /** The raw points of one bucket document, sorted by iteration (stable: arrival order within an iteration). */
    List<RawPoint> bucketPoints(String taskId, String metric, String variant, long bucket) {
        Document d = buckets.find(Filters.eq("_id", new SeriesKey(taskId, metric, variant).bucketId(bucket))).first();
        List<RawPoint> out = new ArrayList<>();
        if (d == null) return out;
        List<?> is = d.getList("i", Object.class);
        List<?> ys = d.getList("y", Object.class);
        List<?> ts = d.getList("t", Object.class);
        for (int j = 0; j < is.size(); j++) out.add(new RawPoint(longOf(is.get(j)), dbl(ys.get(j)), longOf(ts.get(j))));
        out.sort(Comparator.comparingLong(RawPoint::iter));
        return out;
    }

    static String bucketField(long bucket) {
        return String.format("o%010d", bucket);
    }

    static long longOf(Object o) {
        return o instanceof Number n ? n.longValue() : 0L;
    }

    static double dbl(Object o) {
        return o instanceof Number n ? n.doubleValue() : Double.NaN;
    }
}

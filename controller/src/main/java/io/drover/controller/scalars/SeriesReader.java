package io.drover.controller.scalars;

import io.drover.shared.domain.DroverException;
import java.util.ArrayList;
import java.util.List;
import org.bson.Document;

/**
 * Reads one series for a chart. Downsampling happens here, on the server, with min/max/avg per
 * bucket, so a spike is never lost (it is the max of its bucket):
 * <ul>
 *   <li>at most {@code maxPoints} points stored: the raw points;</li>
 *   <li>more bucket documents than {@code maxPoints}: consecutive stored bucket summaries merged
 *   (reads only the series document);</li>
 *   <li>otherwise, up to {@link ScalarStore#RAW_BIN_BUDGET} points: the raw points binned into
 *   {@code maxPoints} buckets of equal point count;</li>
 *   <li>beyond that: one bucket per stored bucket document (1,000 iterations each, from the
 *   series document alone), so a 1,000,000-point series reads one document.</li>
 * </ul>
 */
public final class SeriesReader {
    private final ScalarStore store;

    public SeriesReader(ScalarStore store) {
        this.store = store;
    }

    /** A chart reply: {@code points} when not downsampled, else {@code buckets}; {@code next} for raw paging. */
    public record Chart(SeriesSummary summary, boolean downsampled, List<RawPoint> points, List<BucketSummary> buckets, Long next) {}

    public Chart chart(String taskId, String metric, String variant, int maxPoints) {
        Document doc = seriesDoc(taskId, metric, variant);
        SeriesSummary s = summary(doc);
        List<BucketSummary> sums = ScalarStore.bucketSummaries(doc);
        if (s.count() <= maxPoints) return new Chart(s, false, allPoints(taskId, metric, variant, sums), List.of(), null);
        if (sums.size() > maxPoints) {
            int per = (sums.size() + maxPoints - 1) / maxPoints;
            List<BucketSummary> out = new ArrayList<>();
            for (int i = 0; i < sums.size(); i += per) {
                BucketSummary acc = BucketSummary.EMPTY;
                for (int j = i; j < Math.min(sums.size(), i + per); j++) acc = acc.merge(sums.get(j));
                out.add(acc);
            }
            return new Chart(s, true, List.of(), out, null);
        }
        if (s.count() <= ScalarStore.RAW_BIN_BUDGET) {
            List<RawPoint> all = allPoints(taskId, metric, variant, sums);
            int per = (all.size() + maxPoints - 1) / maxPoints;
            List<BucketSummary> out = new ArrayList<>();
            for (int i = 0; i < all.size(); i += per) {
                BucketSummary acc = BucketSummary.EMPTY;
                for (int j = i; j < Math.min(all.size(), i + per); j++) {
                    RawPoint p = all.get(j);
                    acc = acc.plus(i / per, p.iter(), p.value(), p.ts());
                }
                out.add(acc);
            }
            return new Chart(s, true, List.of(), out, null);
        }
        return new Chart(s, true, List.of(), sums, null);
    }

    /** Raw points with {@code iter > after}, at most {@code limit} (whole iterations: never splits one); {@code next} = the cursor or null at the end. */
    public Chart raw(String taskId, String metric, String variant, long after, int limit) {
        Document doc = seriesDoc(taskId, metric, variant);
        SeriesSummary s = summary(doc);
        List<RawPoint> out = new ArrayList<>();
        boolean more = false;
        for (BucketSummary b : ScalarStore.bucketSummaries(doc)) {
            if (b.iter1() <= after) continue;
            List<RawPoint> ps = store.bucketPoints(taskId, metric, variant, b.bucket());
            for (int j = 0; j < ps.size(); j++) {
                RawPoint p = ps.get(j);
                if (p.iter() <= after) continue;
                if (out.size() >= limit && p.iter() != out.get(out.size() - 1).iter()) {
                    more = true;
                    break;
                }
                out.add(p);
            }
            if (more) break;
        }
        Long next = more ? out.get(out.size() - 1).iter() : null;
        return new Chart(s, false, out, List.of(), next);
    }

    private List<RawPoint> allPoints(String taskId, String metric, String variant, List<BucketSummary> sums) {
        List<RawPoint> all = new ArrayList<>();
        for (BucketSummary b : sums) all.addAll(store.bucketPoints(taskId, metric, variant, b.bucket()));
        return all;
    }

    private Document seriesDoc(String taskId, String metric, String variant) {
        Document doc = store.seriesDoc(taskId, metric, variant);
        if (doc == null) {
            throw new DroverException(io.drover.shared.domain.ErrorCode.NOT_FOUND, "task " + taskId + " has no series '" + metric + "'"
                    + (variant.isEmpty() ? " without a variant" : " with variant '" + variant + "'")
                    + ": GET /api/v1/tasks/" + taskId + "/scalars lists its series");
        }
        return doc;
    }

    private static SeriesSummary summary(Document d) {
        return new SeriesSummary(d.getString("m"), d.getString("v"), ScalarStore.longOf(d.get("n")), ScalarStore.dbl(d.get("last")),
                ScalarStore.dbl(d.get("min")), ScalarStore.dbl(d.get("max")), ScalarStore.longOf(d.get("iter")),
                ScalarStore.longOf(d.get("ts")));
    }
}

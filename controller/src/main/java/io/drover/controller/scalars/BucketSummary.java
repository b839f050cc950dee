package io.drover.controller.scalars;

import org.bson.Document;

/**
 * min/max/sum/count and iteration/time range of a run of points: the stored summary of one
 * bucket document, and a bucket of a downsampled reply (merged summaries or binned points).
 */
public record BucketSummary(long bucket, long n, double min, double max, double sum, long iter0, long iter1, long ts0, long ts1) {
    static final BucketSummary EMPTY = new BucketSummary(-1, 0, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY, 0,
            Long.MAX_VALUE, Long.MIN_VALUE, Long.MAX_VALUE, Long.MIN_VALUE);

    public double avg() {
        return n == 0 ? Double.NaN : sum / n;
    }

    BucketSummary plus(long bucketNo, ScalarBatch.Point p) {
        return plus(bucketNo, p.iter(), p.value(), p.ts());
    }

    BucketSummary plus(long bucketNo, long iter, double value, long ts) {
        return new BucketSummary(bucketNo, n + 1, Math.min(min, value), Math.max(max, value), sum + value,
                Math.min(iter0, iter), Math.max(iter1, iter), Math.min(ts0, ts), Math.max(ts1, ts));
    }

    BucketSummary merge(BucketSummary o) {
        if (n == 0) return o;
        return new BucketSummary(bucket, n + o.n, Math.min(min, o.min), Math.max(max, o.max), sum + o.sum,
                Math.min(iter0, o.iter0), Math.max(iter1, o.iter1), Math.min(ts0, o.ts0), Math.max(ts1, o.ts1));
    }

    Document toDocument() {
        return new Document("n", n).append("lo", min).append("hi", max).append("sum", sum).append("i0", iter0).append("i1", iter1)
                .append("t0", ts0).append("t1", ts1);
    }

    static BucketSummary of(long bucket, Document d) {
        return new BucketSummary(bucket, ScalarStore.longOf(d.get("n")), ScalarStore.dbl(d.get("lo")), ScalarStore.dbl(d.get("hi")),
                ScalarStore.dbl(d.get("sum")), ScalarStore.longOf(d.get("i0")), ScalarStore.longOf(d.get("i1")),
                ScalarStore.longOf(d.get("t0")), ScalarStore.longOf(d.get("t1")));
    }
}

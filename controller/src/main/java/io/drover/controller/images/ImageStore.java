package io.drover.controller.images;

import com.mongodb.MongoWriteException;
import com.mongodb.client.MongoCollection;
import com.mongodb.client.MongoDatabase;
import com.mongodb.client.model.Filters;
import com.mongodb.client.model.FindOneAndUpdateOptions;
import com.mongodb.client.model.ReturnDocument;
import com.mongodb.client.model.Updates;
import io.drover.controller.tasks.TaskFence;
import io.drover.queue.TaskFields;
import io.drover.shared.domain.DroverException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Date;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.bson.Document;

/**
 * Metadata of debug images, stored so that every read is an exact {@code _id} lookup (the embedded
 * store ignores non-unique indexes):
 * <ul>
 *   <li>{@code task_images}: one document per image, {@code _id = task:seq} (seq from 1 per task,
 *   never reused), for {@code GET /images/{seq}}.</li>
 *   <li>{@code task_image_series}: one document per (metric, variant), {@code _id = task:metric:variant}
 *   (escaped), holding the live images of that series ({@code items}: seq, iter, ts, size, type),
 *   at most {@link #MAX_ITERATIONS}; updated by compare-and-set on its version {@code v}. Listings
 *   read these, never a scan.</li>
 *   <li>{@code task_image_meta}: one document per task, {@code _id = task}: the seq counter
 *   ({@code $inc}) and the series keys.</li>
 * </ul>
 * Retention: an image with the (metric, variant, iter) of a stored one replaces it; a series keeps
 * the newest {@link #MAX_ITERATIONS} iterations (by iteration number), older ones are removed.
 * Blocks on the store: call it off the event loop.
 */
public final class ImageStore {
    public static final String IMAGES = "task_images";
    public static final String SERIES = "task_image_series";
    public static final String META = "task_image_meta";
    /** Iterations kept per (metric, variant). */
    public static final int MAX_ITERATIONS = 100;
    /** (metric, variant) pairs a task may have. */
    public static final int MAX_SERIES = 1000;
    private static final int CAS_ATTEMPTS = 50;

    /** One stored image. */
    public record Image(String taskId, long seq, String metric, String variant, long iter, Date ts, long size, String contentType) {}

    /** A page of a listing, newest first; {@code next} is the {@code before} of the next page, or null at the end. */
    public record Page(List<Image> items, Long next) {}

    private final MongoCollection<Document> tasks;
    private final MongoCollection<Document> images;
    private final MongoCollection<Document> series;
    private final MongoCollection<Document> meta;

    public ImageStore(MongoDatabase db) {
        this.tasks = db.getCollection(TaskFields.COLLECTION);
        this.images = db.getCollection(IMAGES);
        this.series = db.getCollection(SERIES);
        this.meta = db.getCollection(META);
    }

    /**
     * Checks that the task exists and, when {@code epoch} is given, that it runs under that lease epoch.
     *
     * @throws DroverException not_found, stale_lease (409)
     */
    public void checkTask(String taskId, Long epoch) {
        TaskFence.check(tasks, taskId, epoch);
    }

    /**
     * Hands out the next seq of the task for an image of (metric, variant).
     *
     * @throws DroverException bad_request when the task already has {@link #MAX_SERIES} other series
     */
    public long reserve(String taskId, String metric, String variant) {
        String key = key(metric, variant);
        Document m = meta.find(Filters.eq("_id", taskId)).first();
        List<String> keys = m == null ? List.of() : m.getList("series", String.class, List.of());
        if (!keys.contains(key) && keys.size() >= MAX_SERIES) {
            throw DroverException.badRequest("task " + taskId + " already has images under " + MAX_SERIES
                    + " (metric, variant) pairs; reuse existing metric/variant names and tell images apart by 'iter'");
        }
        Document after = meta.findOneAndUpdate(Filters.eq("_id", taskId), Updates.combine(Updates.inc("n", 1L), Updates.addToSet("series", key)),
                new FindOneAndUpdateOptions().upsert(true).returnDocument(ReturnDocument.AFTER));
        return ((Number) after.get("n")).longValue();
    }

    /**
     * Records an image whose file is already in place; returns the images it displaced (same
     * iteration, or iterations beyond the newest {@link #MAX_ITERATIONS}), whose files the caller deletes.
     */
    public List<Image> add(Image img) {
        images.insertOne(new Document("_id", imageId(img.taskId(), img.seq())).append("task", img.taskId()).append("seq", img.seq())
                .append("metric", img.metric()).append("variant", img.variant()).append("iter", img.iter()).append("ts", img.ts())
                .append("size", img.size()).append("contentType", img.contentType()));
        String sid = seriesId(img.taskId(), img.metric(), img.variant());
        for (int attempt = 0; attempt < CAS_ATTEMPTS; attempt++) {
            Document cur = series.find(Filters.eq("_id", sid)).first();
            List<Image> items = cur == null ? new ArrayList<>() : items(img.taskId(), cur);
            List<Image> removed = new ArrayList<>();
            List<Image> kept = new ArrayList<>();
            for (Image i : items) {
                if (i.iter() == img.iter()) removed.add(i);
                else kept.add(i);
            }
            kept.add(img);
            TreeSet<Long> iters = new TreeSet<>(Comparator.reverseOrder());
            kept.forEach(i -> iters.add(i.iter()));
            if (iters.size() > MAX_ITERATIONS) {
                Set<Long> newest = new HashSet<>(new ArrayList<>(iters).subList(0, MAX_ITERATIONS));
                List<Image> next = new ArrayList<>();
                for (Image i : kept) {
                    if (newest.contains(i.iter())) next.add(i);
                    else removed.add(i);
                }
                kept = next;
            }
            kept.sort(Comparator.comparingLong(Image::seq));
            List<Document> docs = kept.stream().map(ImageStore::item).toList();
            long v = cur == null ? 0 : ((Number) cur.get("v")).longValue();
            Document doc = new Document("_id", sid).append("task", img.taskId()).append("metric", img.metric())
                    .append("variant", img.variant()).append("v", v + 1).append("items", docs);
            boolean done;
            if (cur == null) {
                try {
                    series.insertOne(doc);
                    done = true;
                } catch (MongoWriteException raced) {
                    done = false; // another image of this series was first: read it again
                }
            } else {
                done = series.replaceOne(Filters.and(Filters.eq("_id", sid), Filters.eq("v", v)), doc).getMatchedCount() == 1;
            }
            if (done) {
                for (Image r : removed) images.deleteOne(Filters.eq("_id", imageId(r.taskId(), r.seq())));
                return removed;
            }
        }
        throw new IllegalStateException("could not record image " + img.seq() + " of task " + img.taskId() + " after " + CAS_ATTEMPTS
                + " attempts: too many concurrent images for one series");
    }

    /** One image, or null. */
    public Image get(String taskId, long seq) {
        Document d = images.find(Filters.eq("_id", imageId(taskId, seq))).first();
        if (d == null) return null;
        return new Image(taskId, seq, d.getString("metric"), d.getString("variant"), ((Number) d.get("iter")).longValue(), d.getDate("ts"),
                ((Number) d.get("size")).longValue(), d.getString("contentType"));
    }

    /**
     * Images newest first (by seq) with seq below {@code before} (null: from the newest), of
     * {@code metric}/{@code variant} when not null, at most {@code limit}.
     */
    public Page list(String taskId, String metric, String variant, Long before, int limit) {
        List<Document> docs = new ArrayList<>();
        if (metric != null && variant != null) {
            Document d = series.find(Filters.eq("_id", seriesId(taskId, metric, variant))).first();
            if (d != null) docs.add(d);
        } else {
            Document m = meta.find(Filters.eq("_id", taskId)).first();
            for (String key : m == null ? List.<String>of() : m.getList("series", String.class, List.of())) {
                Document d = series.find(Filters.eq("_id", taskId + ":" + key)).first();
                if (d == null) continue;
                if (metric != null && !metric.equals(d.getString("metric"))) continue;
                if (variant != null && !variant.equals(d.getString("variant"))) continue;
                docs.add(d);
            }
        }
        List<Image> all = new ArrayList<>();
        for (Document d : docs) {
            for (Image i : items(taskId, d)) {
                if (before == null || i.seq() < before) all.add(i);
            }
        }
        all.sort(Comparator.comparingLong(Image::seq).reversed());
        if (all.size() <= limit) return new Page(all, null);
        List<Image> page = new ArrayList<>(all.subList(0, limit));
        return new Page(page, page.get(limit - 1).seq());
    }

    private static List<Image> items(String taskId, Document seriesDoc) {
        String metric = seriesDoc.getString("metric");
        String variant = seriesDoc.getString("variant");
        List<Image> out = new ArrayList<>();
        for (Document i : seriesDoc.getList("items", Document.class, List.of())) {
            out.add(new Image(taskId, ((Number) i.get("s")).longValue(), metric, variant, ((Number) i.get("i")).longValue(), i.getDate("ts"),
                    ((Number) i.get("n")).longValue(), i.getString("ct")));
        }
        return out;
    }

    private static Document item(Image i) {
        return new Document("s", i.seq()).append("i", i.iter()).append("ts", i.ts()).append("n", i.size()).append("ct", i.contentType());
    }

    private static String imageId(String taskId, long seq) {
        return taskId + ":" + seq;
    }

    private static String seriesId(String taskId, String metric, String variant) {
        return taskId + ":" + key(metric, variant);
    }

    /** Metric and variant escaped ({@code % :}) and joined by {@code :}, so "a:b"+"c" and "a"+"b:c" differ. */
    static String key(String metric, String variant) {
        return escape(metric) + ":" + escape(variant);
    }

    private static String escape(String s) {
        return s.replace("%", "%25").replace(":", "%3A");
    }
}

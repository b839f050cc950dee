package io.drover.controller.audit;

import com.mongodb.client.MongoCollection;
import com.mongodb.client.model.Filters;
import com.mongodb.client.model.Sorts;
import io.drover.shared.domain.Ids;
import io.vertx.core.WorkerExecutor;
import io.vertx.core.net.SocketAddress;
import io.vertx.ext.web.RoutingContext;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import org.bson.Document;
import org.bson.conversions.Bson;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The audit log: who did what, when, from where, in the {@code audit} collection; read by admins
 * through {@code GET /api/v1/audit} ({@link AuditResource}).
 *
 * <p><b>How to record</b> (one instance per controller, {@code services.audit()}):
 * <pre>{@code
 * audit.record(ctx, "task.enqueue", taskId, AuditLog.OK);                  // in a route, loop or pool thread
 * audit.record(ctx, "login", username, AuditLog.FAILED, "wrong password"); // detail is optional, never a secret
 * AuditLog.Who w = audit.who(ctx);  // capture on the event loop, record later from elsewhere
 * audit.record(new AuditLog.Who("worker:w1", ip), "secret.use", "proj/GIT_TOKEN", AuditLog.OK);
 * }</pre>
 * Action names in use: {@code login, logout, password.change, key.create, key.revoke, user.create,
 * user.update, member.set, member.delete, task.enqueue, task.abort, task.archive, task.unarchive,
 * secret.set, secret.delete, secret.use}. Outcomes: {@link #OK}, {@link #FAILED} (the action was
 * attempted and did not happen, e.g. a wrong password or a 409), {@link #DENIED} (403/429).
 *
 * <p>{@code record} never blocks and never throws: the insert runs later on the store pool and a
 * failure is only logged, so auditing can neither slow down nor fail the request it describes.
 * The actor of a request comes from the {@code actorOf} function given at construction (the
 * authenticated principal), falling back to {@link #ACTOR_KEY} on the context, then {@code anonymous}.
 */
public final class AuditLog {
    private static final Logger log = LoggerFactory.getLogger(AuditLog.class);

    /** Name of the collection. */
    public static final String COLLECTION = "audit";
    /** The actor's name on the request context; set by {@code auth.Access} after authentication ({@code Principal.actor()}). */
    public static final String ACTOR_KEY = "drover.audit.actor";
    public static final String OK = "ok";
    public static final String FAILED = "failed";
    public static final String DENIED = "denied";
    public static final int MAX_LIMIT = 1000;
    /** Longer detail text is cut: an audit entry is not a log. */
    static final int MAX_DETAIL = 1000;

    /** Who acted and from where, captured from a request. */
    public record Who(String actor, String ip) {
        public static final Who SYSTEM = new Who("system", null);
    }

    private final MongoCollection<Document> coll;
    private final WorkerExecutor pool;
    private final Clock clock;
    private final Function<RoutingContext, String> actorOf;
    private final AuditIds ids = new AuditIds();

    /**
     * @param actorOf the authenticated actor of a request, or null when there is none (then
     *                {@link #ACTOR_KEY} / {@code anonymous})
     */
    public AuditLog(MongoCollection<Document> coll, WorkerExecutor pool, Clock clock,
                    Function<RoutingContext, String> actorOf) {
        this.coll = coll;
        this.pool = pool;
        this.clock = clock;
        this.actorOf = actorOf == null ? c -> null : actorOf;
    }

    /** The actor and client address of a request. */
    public Who who(RoutingContext ctx) {
        String actor = null;
        try {
            actor = actorOf.apply(ctx);
        } catch (RuntimeException e) {
            log.warn("audit: cannot tell the actor of {} {}", ctx.request().method(), ctx.request().path(), e);
        }
        if (actor == null) actor = ctx.get(ACTOR_KEY);
        if (actor == null) actor = "anonymous";
        SocketAddress remote = ctx.request().remoteAddress();
        return new Who(actor, remote == null ? null : remote.hostAddress());
    }

    public void record(RoutingContext ctx, String action, String target, String outcome) {
        record(who(ctx), action, target, outcome, null);
    }

    public void record(RoutingContext ctx, String action, String target, String outcome, String detail) {
        record(who(ctx), action, target, outcome, detail);
    }

    public void record(Who who, String action, String target, String outcome) {
        record(who, action, target, outcome, null);
    }

    /** Stores one entry asynchronously; never throws. */
    public void record(Who who, String action, String target, String outcome, String detail) {
        AuditEntry e;
        try {
            long now = clock.millis();
            if (detail != null && detail.length() > MAX_DETAIL) detail = detail.substring(0, MAX_DETAIL) + "…";
            e = new AuditEntry(ids.next(now), java.time.Instant.ofEpochMilli(now),
                    who == null ? "anonymous" : who.actor(), action, target, who == null ? null : who.ip(), outcome, detail);
        } catch (RuntimeException ex) {
            log.warn("audit: cannot build the entry for {} on {}", action, target, ex);
            return;
        }
        try {
            pool.executeBlocking(() -> {
                coll.insertOne(e.toDocument());
                return null;
            }, false).onFailure(ex -> lost(e, ex));
        } catch (RuntimeException ex) { // the pool is closed (shutdown)
            lost(e, ex);
        }
    }

    private static void lost(AuditEntry e, Throwable ex) {
        log.warn("audit entry lost: {} {} {} by {} from {}: {}", e.action(), e.target(), e.outcome(), e.actor(), e.ip(),
                ex.toString());
    }

    /**
     * Entries newest first, at most {@code limit}, older than the entry {@code before} when given.
     * Blocking: call on the store pool.
     */
    public List<AuditEntry> list(int limit, String before) {
        Bson filter = before == null ? new Document() : Filters.lt("_id", Ids.requireId(before, "before"));
        List<AuditEntry> out = new ArrayList<>();
        for (Document d : coll.find(filter).sort(Sorts.descending("_id")).limit(Math.min(limit, MAX_LIMIT))) {
            out.add(AuditEntry.of(d));
        }
        return out;
    }
}

package io.drover.controller.http;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.drover.controller.auth.Access;
import io.drover.controller.cluster.ClusterNode;
import io.drover.controller.auth.Permission;
import io.drover.controller.auth.ProjectFrom;
import io.drover.shared.json.Json;
import io.drover.controller.Services;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code GET /health} (liveness: the process answers), {@code GET /ready} (readiness: the store
 * answers a ping and, with {@code --cluster}, this controller has joined its cluster) and {@code GET /version}, under {@code /api/v1} and at the root (where load
 * balancers and Kubernetes probes look for them).
 */
public final class SystemResource implements ApiResource, RootResource {
    public static final String VERSION = versionFromJar();
    /** A probe must answer quickly even when the store hangs: server selection included. */
    static final Duration READY_TIMEOUT = Duration.ofSeconds(2);

    private static final Logger log = LoggerFactory.getLogger(SystemResource.class);
    private final Services services;
    private final AtomicBoolean wasReady = new AtomicBoolean(true);

    public SystemResource(Services services) {
        this.services = services;
    }

    @Override
    public void mount(Router api) {
        Access.route(api.get("/health"), Permission.PUBLIC).handler(ctx -> Http.json(ctx, 200, Json.object().put("status", "ok")));
        Access.route(api.get("/ready"), Permission.PUBLIC).handler(this::ready);
        Access.route(api.get("/version"), Permission.PUBLIC).handler(ctx -> Http.json(ctx, 200, Json.object().put("version", VERSION).put("api", "v1")));
    }

    /**
     * 200 when a store round trip succeeds within {@link #READY_TIMEOUT}, else 503. The route is
     * public, so the answer names only the kind of failure; the log has the driver's message
     * (written when readiness changes, not on every probe).
     */
    private void ready(RoutingContext ctx) {
        services.storePool().executeBlocking(() -> {
            services.store().ping(READY_TIMEOUT);
            return "ok";
        }, false).onComplete(r -> {
            ClusterNode.State cluster = services.cluster().state();
            boolean clusterOk = !cluster.enabled() || cluster.joined();
            if (r.succeeded() && clusterOk) {
                if (!wasReady.getAndSet(true)) log.info("ready: the store answers again");
                Http.json(ctx, 200, withCluster(Json.object().put("status", "ready").put("store", "ok"), cluster));
            } else if (r.succeeded()) {
                if (wasReady.getAndSet(false)) log.warn("not ready: this controller is not (or no longer) part of its cluster");
                Http.json(ctx, 503, withCluster(Json.object().put("status", "not ready").put("store", "ok"), cluster));
            } else {
                if (wasReady.getAndSet(false)) log.warn("not ready: the store did not answer a ping", r.cause());
                Http.json(ctx, 503, withCluster(Json.object().put("status", "not ready")
                        .put("store", "unreachable: no answer to a ping within " + READY_TIMEOUT.toSeconds() + " s ("
                                + r.cause().getClass().getSimpleName() + "); check that the store is running and reachable,"
                                + " the controller log has the details"), cluster));
            }
        });
    }

    /** Adds {@code cluster: {enabled, joined, members}} (members: the addresses of the cluster's controllers). */
    private static ObjectNode withCluster(ObjectNode o, ClusterNode.State c) {
        ObjectNode j = o.putObject("cluster").put("enabled", c.enabled()).put("joined", c.joined());
        ArrayNode m = j.putArray("members");
        c.members().forEach(m::add);
        if (!c.problems().isEmpty()) {
            ArrayNode p = j.putArray("problems");
            c.problems().forEach(p::add);
        }
        if (c.enabled() && !c.joined()) {
            j.put("message", "not joined to the cluster; the controller log says why (check --cluster-members and that"
                    + " the other controllers are reachable)");
        }
        return o;
    }

    private static String versionFromJar() {
        String v = SystemResource.class.getPackage().getImplementationVersion();
        return v != null ? v : "0.1.0-SNAPSHOT";
    }
}

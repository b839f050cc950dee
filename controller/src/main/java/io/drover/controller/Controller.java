package io.drover.controller;

import io.drover.controller.audit.AuditLog;
import io.drover.controller.audit.AuditResource;
import io.drover.controller.auth.Access;
import io.drover.controller.auth.AuthResources;
import io.drover.controller.auth.AuthService;
import io.drover.controller.auth.Bootstrap;
import io.drover.controller.auth.ldap.LdapAuthenticator;
import io.drover.controller.cluster.ClusterBridge;
import io.drover.controller.cluster.ClusterNode;
import io.drover.controller.config.ControllerConfig;
import io.drover.controller.http.ApiResource;
import io.drover.controller.http.ApiRouter;
import io.drover.controller.http.ExtraResources;
import io.drover.controller.http.Http;
import io.drover.controller.http.RateLimitHandler;
import io.drover.controller.http.RootResource;
import io.drover.controller.http.ProjectsResource;
import io.drover.controller.http.QueuesResource;
import io.drover.controller.http.SystemResource;
import io.drover.controller.http.TasksResource;
import io.drover.controller.http.WorkersResource;
import io.drover.controller.secrets.SecretStore;
import io.drover.controller.tasks.Catalog;
import io.drover.controller.tasks.TaskService;
import io.drover.controller.workers.AgentService;
import io.drover.controller.workers.WorkerService;
import io.drover.controller.lease.LeaseWatchdog;
import io.drover.controller.store.Store;
import io.drover.controller.store.StoreIndexes;
import io.drover.controller.tasks.TaskEvents;
import io.drover.controller.workers.ControlChannel;
import io.drover.controller.workers.WorkerHistory;
import io.drover.queue.TaskQueue;
import io.vertx.core.Vertx;
import io.vertx.core.WorkerExecutor;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.net.PemKeyCertOptions;
import io.vertx.ext.web.Router;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One running controller: store, queue, HTTP server and background jobs, wired together.
 * {@link #start} blocks until the server listens; {@link #close} stops everything in order.
 */
public final class Controller implements AutoCloseable {
    static {
        Logging.configure(); // before the first logger is created: slf4j-simple reads its settings once
    }

    private static final Logger log = LoggerFactory.getLogger(Controller.class);
    /** Size of the bounded pool for blocking store calls. */
    public static final int STORE_POOL_SIZE = 16;

    private final Services services;
    private final HttpServer server;
    private final Router router;
    private final LeaseWatchdog watchdog;
    private final Bootstrap.Result bootstrap;
    private final ClusterBridge bridge; // null without --cluster

    private Controller(Services services, HttpServer server, Router router, LeaseWatchdog watchdog, Bootstrap.Result bootstrap,
                       ClusterBridge bridge) {
        this.services = services;
        this.server = server;
        this.router = router;
        this.watchdog = watchdog;
        this.bootstrap = bootstrap;
        this.bridge = bridge;
    }

    /**
     * The admin and keys created on this start because the store had no users (auth on), or null.
     * Holds secrets: print them once, write them to the client config, never log them.
     */
    public Bootstrap.Result bootstrap() {
        return bootstrap;
    }

    public static Controller start(ControllerConfig cfg) throws Exception {
        return start(cfg, QueueFactory.MONGO);
    }

    public static Controller start(ControllerConfig cfg, QueueFactory queues) throws Exception {
        cfg.validated();
        Logging.configure();
        Store store = Store.open(cfg);
        Vertx vertx = null;
        Bootstrap.Result bootstrap;
        ClusterBridge bridge = null;
        try {
            StoreIndexes.ensure(store);
            Clock clock = Clock.systemUTC();
            TaskQueue queue = queues.create(store.db(), cfg.lease(), clock);
            // clustered: blocks until this node has joined (about 3 s); standalone: a plain Vertx.vertx()
            ClusterNode cluster = ClusterNode.start(cfg.cluster());
            vertx = cluster.vertx();
            WorkerExecutor pool = vertx.createSharedWorkerExecutor("drover-store", STORE_POOL_SIZE);
            AuditLog audit = new AuditLog(store.collection(AuditLog.COLLECTION), pool, clock, null);
            Services services = new Services(cfg, vertx, store, queue, new TaskEvents(), new ControlChannel(), pool, clock, audit,
                    new WorkerHistory(cfg.heartbeat()), cluster);
            // before the resources: remote events that arrive before the task index has loaded are covered by its load
            if (cluster.enabled()) {
                bridge = new ClusterBridge(vertx, queue, services.events(), services.control(), services.workerHistory(),
                        store.tasks(), pool, clock, secretsKeyId(cfg)).start(cluster);
                // files are not in the store: each controller keeps the ones uploaded through it
                log.warn("cluster: artifacts and debug images are kept under this controller's data directory {};"
                        + " a download through another controller finds them only if every controller uses the same --data"
                        + " on shared storage", cfg.dataDir().toAbsolutePath().normalize());
            }

            AuthService auth = new AuthService(services);
            bootstrap = Bootstrap.ifEmpty(auth, cfg);
            List<ApiResource> api = apiResources(services);
            // LDAP login when configured (null = local users only)
            api.addAll(AuthResources.api(services, auth, cfg.ldap() == null ? null : new LdapAuthenticator(cfg.ldap())));
            Router router = ApiRouter.build(vertx, new Http.Runtime(pool, store.durability()), new Access(auth, pool),
                    api, rootResources(services));
            HttpServer server = vertx.createHttpServer(serverOptions(cfg))
                    .requestHandler(router)
                    .listen(cfg.port(), cfg.host())
                    .toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
            LeaseWatchdog watchdog = LeaseWatchdog.start(services);
            return new Controller(services, server, router, watchdog, bootstrap, bridge);
        } catch (Exception | Error e) {
            if (bridge != null) bridge.close();
            if (vertx != null) vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
            store.close();
            throw e;
        }
    }

    /** The id (not the key) of the secrets key this controller uses, for the cluster nodes to compare. */
    private static String secretsKeyId(ControllerConfig cfg) {
        var key = io.drover.controller.secrets.SecretsKey.load(cfg.secretsKeyFile(),
                System.getenv(io.drover.controller.secrets.SecretsKey.ENV), cfg.dataDir());
        return new io.drover.controller.secrets.SecretCipher(key.key()).keyId();
    }

    /** HTTPS when the config has a certificate and key (PEM; Vert.x reads PKCS#8 and PKCS#1 keys). */
    private static HttpServerOptions serverOptions(ControllerConfig cfg) {
        HttpServerOptions o = new HttpServerOptions();
        if (cfg.tlsEnabled()) {
            o.setSsl(true).setKeyCertOptions(new PemKeyCertOptions()
                    .setCertPath(cfg.exposure().tlsCert().toString())
                    .setKeyPath(cfg.exposure().tlsKey().toString()));
        }
        return o;
    }

    /** The core resources, then those of controller-extras ({@link ExtraResources}). */
    private static List<ApiResource> apiResources(Services s) {
        Catalog catalog = new Catalog(s.store());
        TaskService tasks = new TaskService(s, catalog);
        WorkerService workers = new WorkerService(s);
        SecretStore secrets = SecretStore.open(s);
        AgentService agent = new AgentService(s, tasks, workers, secrets);
        List<ApiResource> l = new ArrayList<>(List.of(
                new RateLimitHandler(s.config().exposure().writeRate(), s.config().exposure().writeBurst()),
                new SystemResource(s),
                new AuditResource(s.audit()),
                new ProjectsResource(catalog, s.store().tasks()),
                new TasksResource(tasks, s.audit()),
                new QueuesResource(catalog, s.queue(), tasks, s.store()),
                new WorkersResource(workers, agent, s.queue(), s.control())));
        l.addAll(ExtraResources.api(s, secrets));
        return l;
    }

    private static List<RootResource> rootResources(Services s) {
        List<RootResource> l = new ArrayList<>(ExtraResources.root(s));
        l.add(new SystemResource(s));
        return l;
    }

    public int port() {
        return server.actualPort();
    }

    /** {@code http://host:port} (https with TLS) as clients should use it. */
    public String baseUrl() {
        return (services.config().tlsEnabled() ? "https://" : "http://") + urlHost(services.config().host()) + ":" + port();
    }

    private static String urlHost(String host) {
        if (host.equals("0.0.0.0")) return "127.0.0.1";
        if (host.equals("::")) return "[::1]";
        return host.contains(":") && !host.startsWith("[") ? "[" + host + "]" : host;
    }

    /** The server's top router (the route-permission test walks its route table). */
    public Router router() {
        return router;
    }

    public Services services() {
        return services;
    }

    /** What carries this controller's changes to the other nodes of its cluster; null without {@code --cluster}. */
    public ClusterBridge clusterBridge() {
        return bridge;
    }

    @Override
    public void close() {
        watchdog.close();
        if (bridge != null) bridge.close();
        try {
            server.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
            services.vertx().close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        } catch (Exception e) {
            log.warn("HTTP server did not stop cleanly", e);
        }
        if (services.queue() instanceof AutoCloseable c) {
            try {
                c.close();
            } catch (Exception e) {
                log.warn("queue did not close cleanly", e);
            }
        }
        services.store().close();
    }
}

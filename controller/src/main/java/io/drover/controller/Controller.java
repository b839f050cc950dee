package io.drover.controller;

import io.drover.controller.config.ControllerConfig;
import io.drover.controller.http.ApiResource;
import io.drover.controller.http.ApiRouter;
import io.drover.controller.http.ExtraResources;
import io.drover.controller.http.Http;
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
import io.drover.queue.TaskQueue;
import io.vertx.core.Vertx;
import io.vertx.core.WorkerExecutor;
import io.vertx.core.http.HttpServer;
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
    private final LeaseWatchdog watchdog;

    private Controller(Services services, HttpServer server, LeaseWatchdog watchdog) {
        this.services = services;
        this.server = server;
        this.watchdog = watchdog;
    }

    public static Controller start(ControllerConfig cfg) throws Exception {
        return start(cfg, QueueFactory.MONGO);
    }

    public static Controller start(ControllerConfig cfg, QueueFactory queues) throws Exception {
        cfg.validated();
        Logging.configure();
        Store store = Store.open(cfg);
        Vertx vertx = null;
        try {
            StoreIndexes.ensure(store);
            Clock clock = Clock.systemUTC();
            TaskQueue queue = queues.create(store.db(), cfg.lease(), clock);
            vertx = Vertx.vertx();
            WorkerExecutor pool = vertx.createSharedWorkerExecutor("drover-store", STORE_POOL_SIZE);
            Services services = new Services(cfg, vertx, store, queue, new TaskEvents(), new ControlChannel(), pool, clock);

            Router router = ApiRouter.build(vertx, new Http.Runtime(pool, store.durability()),
                    apiResources(services), rootResources(services));
            HttpServer server = vertx.createHttpServer()
                    .requestHandler(router)
                    .listen(cfg.port(), cfg.host())
                    .toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
            LeaseWatchdog watchdog = LeaseWatchdog.start(services);
            return new Controller(services, server, watchdog);
        } catch (Exception | Error e) {
            if (vertx != null) vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
            store.close();
            throw e;
        }
    }

    /** The core resources, then those of controller-extras ({@link ExtraResources}). */
    private static List<ApiResource> apiResources(Services s) {
        Catalog catalog = new Catalog(s.store());
        TaskService tasks = new TaskService(s, catalog);
        WorkerService workers = new WorkerService(s);
        SecretStore secrets = SecretStore.open(s);
        AgentService agent = new AgentService(s, tasks, workers, secrets);
        List<ApiResource> l = new ArrayList<>(List.of(
                new SystemResource(),
                new ProjectsResource(catalog, s.store().tasks()),
                new TasksResource(tasks),
                new QueuesResource(catalog, s.queue(), tasks, s.store()),
                new WorkersResource(workers, agent, s.queue(), s.control())));
        l.addAll(ExtraResources.api(s, secrets));
        return l;
    }

    private static List<RootResource> rootResources(Services s) {
        List<RootResource> l = new ArrayList<>(ExtraResources.root(s));
        l.add(new SystemResource());
        return l;
    }

    public int port() {
        return server.actualPort();
    }

    /** {@code http://host:port} as clients should use it. */
    public String baseUrl() {
        return "http://" + urlHost(services.config().host()) + ":" + port();
    }

    private static String urlHost(String host) {
        if (host.equals("0.0.0.0")) return "127.0.0.1";
        if (host.equals("::")) return "[::1]";
        return host.contains(":") && !host.startsWith("[") ? "[" + host + "]" : host;
    }

    public Services services() {
        return services;
    }

    @Override
    public void close() {
        watchdog.close();
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

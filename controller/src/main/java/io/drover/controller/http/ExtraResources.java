package io.drover.controller.http;

import io.drover.controller.Services;
import io.drover.controller.artifacts.ArtifactIndex;
import io.drover.controller.artifacts.ArtifactResource;
import io.drover.controller.artifacts.LocalArtifactStore;
import io.drover.controller.logs.LogResource;
import io.drover.controller.logs.LogStore;
import io.drover.controller.logs.LogWaiters;
import io.drover.controller.metrics.HttpMetrics;
import io.drover.controller.metrics.Metrics;
import io.drover.controller.metrics.StoreGauges;
import io.drover.controller.scalars.ScalarResource;
import io.drover.controller.scalars.ScalarStore;
import io.drover.controller.secrets.SecretStore;
import io.drover.controller.secrets.SecretsResource;
import io.drover.controller.store.Collections;
import io.drover.controller.tasks.TaskEvents;
import io.drover.controller.ui.UiResource;
import java.util.List;

/**
 * WIRING POINT FOR controller-extras (logs, artifacts, metrics, dashboard page). This file belongs
 * to them: add your resources to the lists below; {@code Controller} mounts them next to the core
 * ones. API resources are mounted under {@code /api/v1}; root resources on the top router
 * (they are mounted before {@code /api/v1}, so a root handler that calls {@code ctx.next()} sees
 * every request, e.g. to time it).
 */
public final class ExtraResources {
    /** Where local artifacts live, under the data directory. */
    public static final String ARTIFACTS_DIR = "artifacts";
    /** Where debug images live, under the data directory. */
    public static final String IMAGES_DIR = "images";

    private ExtraResources() {}

    /** Routes under {@code /api/v1}: logs, artifacts, project secrets, and the request timer's route binding. */
    public static List<ApiResource> api(Services s, SecretStore secrets) {
        LogWaiters waiters = new LogWaiters();
        // a log long-poll ends as soon as its task finishes, not at its timeout
        s.events().add(new TaskEvents.Listener() {
            @Override
            public void finished(String taskId, String status) {
                waiters.wake(taskId);
            }

            // lines stored by another controller of a cluster (this node's own appends wake in LogStore)
            @Override
            public void logs(String taskId, long next) {
                waiters.wake(taskId);
            }
        });
        LogStore logs = new LogStore(s.store().db(), waiters);
        LocalArtifactStore files = new LocalArtifactStore(s.vertx(), s.config().dataDir().resolve(ARTIFACTS_DIR),
                s.config().artifactMinFreeMb() * 1024 * 1024);
        // live updates (SSE): the hub listens to every task event and fans them out to open streams
        io.drover.controller.live.LiveHub live = new io.drover.controller.live.LiveHub(s.vertx(), s.storePool(), s.store().tasks(),
                io.drover.controller.live.LiveHub.DEFAULT_MIN_GAP_MS, io.drover.controller.live.LiveHub.DEFAULT_PING_MS);
        s.events().add(live);
        return List.of(
                HttpMetrics.apiRouteBinding(),
                new io.drover.controller.live.LiveResource(live),
                new LogResource(logs, s.clock(), s.events()),
                new ScalarResource(new ScalarStore(s.store().db()), s.clock(), s.events()),
                new io.drover.controller.reports.ReportResource(new io.drover.controller.reports.ReportStore(s.store().db()), s.clock(), s.events()),
                new ArtifactResource(files, new ArtifactIndex(s.store().db()), s.clock()),
                new io.drover.controller.images.ImageResource(new io.drover.controller.images.ImageStore(s.store().db()),
                        new io.drover.controller.images.ImageFiles(s.config().dataDir().resolve(IMAGES_DIR)), s.events(), s.clock()),
                new SecretsResource(secrets, s.store().db().getCollection(Collections.PROJECTS), SecretsResource::actor, s.audit()));
    }

    /** Routes outside {@code /api/v1}: the request timer, {@code /metrics}, the {@code /} page and {@code /ui/}. */
    public static List<RootResource> root(Services s) {
        Metrics metrics = new Metrics(new StoreGauges(s.queue(), s.store().tasks(),
                s.store().collection(Collections.WORKERS), s.config().heartbeat(), s.clock()));
        s.events().add(metrics.taskListener());
        s.store().timings().sink(metrics::storeCommand);
        return List.of(
                new HttpMetrics(metrics, s.storePool()).root(),
                new UiResource(),
                new io.drover.controller.client.ClientResource(io.drover.controller.client.PythonClient.load()),
                new io.drover.controller.install.InstallResource(s.config().install(), s.storePool()));
    }
}

package io.drover.controller.http;

import io.drover.controller.Services;
import java.util.List;

/**
 * WIRING POINT FOR controller-extras (logs, artifacts, metrics, dashboard page). This file belongs
 * to them: add your resources to the lists below; {@code Controller} mounts them next to the core
 * ones. API resources are mounted under {@code /api/v1}; root resources on the top router
 * (they are mounted before {@code /api/v1}, so a root handler that calls {@code ctx.next()} sees
 * every request, e.g. to time it).
 */
public final class ExtraResources {
    private ExtraResources() {}

    /** Routes under {@code /api/v1}: e.g. {@code new LogsResource(services)}. */
    public static List<ApiResource> api(Services services) {
        return List.of();
    }

    /** Routes outside {@code /api/v1}: e.g. the {@code /} page and {@code /metrics}. */
    public static List<RootResource> root(Services services) {
        return List.of();
    }
}

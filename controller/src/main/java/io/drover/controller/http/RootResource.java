package io.drover.controller.http;

import io.vertx.ext.web.Router;

/** Routes outside {@code /api/v1}: the dashboard page, {@code /metrics}, static files. */
public interface RootResource {
    /** @param root the server's top router; {@code /api/v1} is already mounted on it */
    void mount(Router root);
}

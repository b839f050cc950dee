package io.drover.controller.http;

import io.vertx.ext.web.Router;

/**
 * One REST resource: a class that adds its routes to the {@code /api/v1} router. Use
 * {@link Http} for bodies, validation and store calls so every resource answers errors the same way.
 */
public interface ApiResource {
    /** @param api the {@code /api/v1} sub-router: register paths relative to it ({@code "/tasks/:id"}) */
    void mount(Router api);
}

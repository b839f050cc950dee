package io.drover.controller.ui;

import com.mongodb.client.MongoDatabase;

/**
 * Left from the first, server-rendered task list at {@code /}: the dashboard is static now
 * ({@code /ui/index.html} reads {@code GET /api/v1/tasks}, which has the fast in-memory index).
 * Kept only because {@code ExtraResources} still constructs it for {@link UiResource}; the
 * integrator can switch that line to {@code new UiResource()} and delete this class.
 */
public final class TaskRows {
    public TaskRows(MongoDatabase unusedDb) {}
}

package io.drover.controller.auth;

/** Where a READ/WRITE/MANAGE/LEASE route finds the project its permission is checked on. */
public enum ProjectFrom {
    /** Not project-scoped (PUBLIC, AUTHENTICATED, WORKER, ADMIN routes). */
    NONE,
    /** The {@code :project} path parameter. */
    PATH,
    /** The project of the task named by the {@code :id} (or {@code :taskId}) path parameter. */
    TASK,
    /**
     * The request body's {@code "project"} field (default {@code "default"}). A project that does
     * not exist yet may be created by any user, who becomes its owner (implicit creation by the
     * first task). The route's body handler is passed to {@link Access#route(io.vertx.ext.web.Route,
     * Permission, ProjectFrom, io.vertx.core.Handler)} so the check runs once the body is read.
     */
    BODY,
    /** The request body's {@code "name"} field ({@code POST /projects}); same rules as {@link #BODY}. */
    BODY_NAME
}

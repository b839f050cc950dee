package io.drover.controller.auth;

/**
 * What a route needs from its caller (docs/API.md, "Authentication and access control"). Every
 * route declares exactly one, with {@link Access#route}; a test walks the route table and fails
 * on any route without one.
 */
public enum Permission {
    /** Anyone, no credentials: health, version, login, static UI assets. */
    PUBLIC,
    /** Any authenticated caller. Worker keys only on GET (they cannot change user state). */
    AUTHENTICATED,
    /** A role (viewer, member, owner) on the route's project; a worker only with the task's lease token. */
    READ,
    /** member or owner on the route's project. */
    WRITE,
    /** owner on the route's project (members, secrets). */
    MANAGE,
    /** An agent credential (worker key): register, heartbeat, claim, control. */
    WORKER,
    /** A worker key plus {@code X-Drover-Lease} matching the task's current lease token. */
    LEASE,
    /** An admin user. */
    ADMIN;

    /** Permissions checked against a project, which the route must say how to find ({@link ProjectFrom}). */
    public boolean needsProject() {
        return this == READ || this == WRITE || this == MANAGE || this == LEASE;
    }
}

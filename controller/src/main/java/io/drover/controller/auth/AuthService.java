package io.drover.controller.auth;

import com.mongodb.client.MongoCollection;
import com.mongodb.client.model.Filters;
import com.mongodb.client.model.Projections;
import com.mongodb.client.model.UpdateOptions;
import com.mongodb.client.model.Updates;
import io.drover.controller.Services;
import io.drover.controller.store.Collections;
import io.drover.queue.TaskFields;
import io.drover.queue.mongo.LeaseTokens;
import io.drover.shared.domain.DroverException;
import io.drover.shared.domain.ErrorCode;
import io.drover.shared.domain.Ids;
import java.util.Date;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import org.bson.Document;

/**
 * Who is calling ({@link #authenticate}) and whether they may ({@link #authorize}), for one
 * controller. Every method blocks on the store: {@link Access} calls them on the store pool.
 * Nothing positive is cached across requests, so revoking a key or a role takes effect at once.
 */
public final class AuthService {
    /** One message for every bad credential, so a caller cannot tell unknown ids from wrong secrets. */
    public static final String BAD_KEY = "invalid or revoked API key: create one with 'drover keys create' (or log in) and send it as Authorization: Bearer drk_…";
    public static final String NEED_CREDENTIALS = "authentication required: send an API key as 'Authorization: Bearer drk_…' "
            + "(drover login, --api-key or DROVER_API_KEY) or log in to the dashboard";

    /** What the authentication step reads from a request. */
    public record Credentials(String authorization, String sessionCookie) {}

    /** What the authorization step reads from a request. */
    public record Target(String method, String projectParam, String taskId, String leaseToken, String bodyProject) {}

    private final boolean enabled;
    private final Users users;
    private final ApiKeys keys;
    private final Members members;
    private final Sessions sessions;
    private final MongoCollection<Document> tasks;
    private final MongoCollection<Document> projects;

    public AuthService(Services s) {
        this.enabled = s.config().auth();
        this.users = new Users(s.store().collection(Users.COLLECTION));
        this.keys = new ApiKeys(s.store().collection(ApiKeys.COLLECTION), s.clock());
        this.members = new Members(s.store().collection(Members.COLLECTION));
        this.sessions = new Sessions(s.store().collection(Sessions.COLLECTION), s.clock(), s.config().sessionTtl());
        this.tasks = s.store().tasks();
        this.projects = s.store().collection(Collections.PROJECTS);
    }

    public boolean enabled() {
        return enabled;
    }

    public Users users() {
        return users;
    }

    public ApiKeys keys() {
        return keys;
    }

    public Members members() {
        return members;
    }

    public Sessions sessions() {
        return sessions;
    }

    // ---------------------------------------------------------------- authentication

    /**
     * The caller: an API key in {@code Authorization} wins over the session cookie; a bad key is a
     * 401 (not anonymous), a stale or unknown cookie is anonymous.
     */
    public Principal authenticate(Credentials c) {
        if (!enabled) return Principal.LOCAL;
        if (c.authorization() != null && !c.authorization().isBlank()) {
            String a = c.authorization().trim();
            if (!a.regionMatches(true, 0, "Bearer ", 0, 7)) {
                throw new DroverException(ErrorCode.UNAUTHORIZED, "unsupported Authorization scheme: send 'Authorization: Bearer drk_…'");
            }
            ApiKeys.Key k = keys.verify(a.substring(7).trim()).orElseThrow(() -> new DroverException(ErrorCode.UNAUTHORIZED, BAD_KEY));
            Users.User u = users.find(k.user()).orElse(null);
            if (u == null || u.disabled()) throw new DroverException(ErrorCode.UNAUTHORIZED, BAD_KEY);
            return k.kind() == ApiKeys.Kind.WORKER ? Principal.worker(u.username(), k.id()) : Principal.user(u.username(), u.admin(), k.id());
        }
        if (c.sessionCookie() != null) {
            Optional<Sessions.Session> s = sessions.find(c.sessionCookie());
            if (s.isPresent()) {
                Users.User u = users.find(s.get().user()).orElse(null);
                if (u != null && !u.disabled()) return Principal.session(u.username(), u.admin(), s.get().hash(), s.get().csrf());
            }
        }
        return Principal.ANONYMOUS;
    }

    // ---------------------------------------------------------------- authorization

    /**
     * Throws 401/403 (or 400/404 for a malformed or unknown task id) unless {@code p} may use a
     * route declared with {@code perm} and {@code from}. For {@link ProjectFrom#BODY} a project
     * that does not exist yet is created here and its creator becomes owner.
     *
     * @return the project the check was made on, or null
     */
    public String authorize(Principal p, Permission perm, ProjectFrom from, Target t) {
        if (perm == Permission.PUBLIC || p.kind() == Principal.Kind.LOCAL) return null;
        if (p.isAnonymous()) throw new DroverException(ErrorCode.UNAUTHORIZED, NEED_CREDENTIALS);
        switch (perm) {
            case AUTHENTICATED -> {
                if (p.isWorker() && !isRead(t.method())) throw forbidden("worker keys can only read here; use a user key or log in");
                return null;
            }
            case ADMIN -> {
                if (!p.admin()) throw forbidden("this needs an admin; ask an admin of this Drover controller");
                return null;
            }
            case WORKER -> {
                if (!p.isWorker() && !p.admin()) throw forbidden("this endpoint is for agents: start the agent with a worker key (drover keys create --worker)");
                return null;
            }
            default -> {
                return projectCheck(p, perm, from, t);
            }
        }
    }

    private String projectCheck(Principal p, Permission perm, ProjectFrom from, Target t) {
        if (from == ProjectFrom.TASK) {
            String id = t.taskId();
            if (!Ids.isId(id)) {
                throw DroverException.badRequest("'" + id + "' is not a valid id: ids are 24 hex characters (as printed by 'drover ls')");
            }
            Document task = tasks.find(Filters.eq(TaskFields.ID, id))
                    .projection(Projections.include("project", TaskFields.LEASE_TOKEN_HASH)).first();
            if (task == null) throw DroverException.notFound("task", id);
            String project = task.getString("project");
            if (p.isWorker() || perm == Permission.LEASE) {
                if (p.admin()) return project; // an admin's own key may act for an agent (debugging)
                if (!p.isWorker()) throw forbidden("task writes of the agent protocol need a worker key and the task's lease token");
                if (perm != Permission.LEASE && perm != Permission.READ) throw forbidden("worker keys cannot change tasks this way; use a user key");
                Document lease = task.get(TaskFields.LEASE) instanceof Document l ? l : null;
                String hash = lease == null ? null : lease.getString("tokenHash");
                if (t.leaseToken() == null || !LeaseTokens.matches(t.leaseToken(), hash)) {
                    throw forbidden("this worker does not hold task " + id + ": send the lease token of its current claim as X-Drover-Lease");
                }
                return project;
            }
            requireRole(p, perm, project);
            return project;
        }
        if (p.isWorker()) throw forbidden("worker keys cannot use this endpoint; use a user key or log in");
        if (perm == Permission.LEASE) throw forbidden("this endpoint needs a worker key");
        String project = switch (from) {
            case PATH -> t.projectParam();
            case BODY, BODY_NAME -> t.bodyProject();
            default -> throw new IllegalStateException("route declares " + perm + " without saying where its project comes from");
        };
        if (project == null || !Ids.isName(project)) {
            throw DroverException.badRequest("project name '" + project
                    + "' is not valid: use 1-64 letters, digits, '.', '_' or '-', starting with a letter or digit");
        }
        if (p.admin()) {
            if (from == ProjectFrom.BODY) claimProject(project, p.name());
            return project;
        }
        if (from == ProjectFrom.BODY && perm == Permission.WRITE && claimProject(project, p.name())) return project;
        if (from == ProjectFrom.BODY_NAME && perm == Permission.WRITE && projects.find(Filters.eq("_id", project)).first() == null) {
            return project; // POST /projects: the resource makes the creator owner
        }
        requireRole(p, perm, project);
        return project;
    }

    /**
     * Creates the project if it does not exist yet and makes {@code user} its owner; true when
     * this call created it. An upsert on {@code _id} decides the race between two creators.
     */
    public boolean claimProject(String project, String user) {
        var r = projects.updateOne(Filters.eq("_id", project),
                Updates.combine(Updates.setOnInsert("createdAt", new Date()), Updates.setOnInsert("description", null),
                        Updates.setOnInsert("createdBy", user)),
                new UpdateOptions().upsert(true));
        if (r.getUpsertedId() == null) return false;
        if (user != null && !"local".equals(user)) members.addOwnerIfAbsent(project, user);
        return true;
    }

    private void requireRole(Principal p, Permission perm, String project) {
        if (p.admin()) return;
        Role role = members.role(project, p.name()).orElseThrow(() -> forbidden("you have no role in project '" + project
                + "'; ask its owner or an admin to grant one (drover grant " + p.name() + " viewer --project " + project + ")"));
        if (!role.grants(perm)) {
            throw forbidden("your role in project '" + project + "' is " + role.wire() + "; this needs "
                    + (perm == Permission.MANAGE ? "owner" : "member or owner"));
        }
    }

    /** Projects {@code p} may read, or null for all (admins, auth off). */
    public Set<String> readableProjects(Principal p) {
        if (p.admin()) return null;
        if (p.isWorker() || p.isAnonymous()) return Set.of();
        return new TreeSet<>(members.rolesOf(p.name()).keySet());
    }

    public static DroverException forbidden(String message) {
        return new DroverException(ErrorCode.FORBIDDEN, message);
    }

    private static boolean isRead(String method) {
        return "GET".equals(method) || "HEAD".equals(method) || "OPTIONS".equals(method);
    }
}

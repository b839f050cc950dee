package io.drover.controller.auth;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.drover.controller.audit.AuditLog;
import io.drover.controller.http.ApiResource;
import io.drover.controller.http.Http;
import io.drover.controller.tasks.Fields;
import io.drover.controller.tasks.TaskJson;
import io.drover.shared.domain.DroverException;
import io.drover.shared.json.Json;
import io.vertx.ext.web.Router;

/** {@code /projects/{p}/members} (MANAGE): list, grant a role, remove. A project keeps at least one owner. */
public final class MembersResource implements ApiResource {
    private final AuthService auth;
    private final AuditLog audit;

    public MembersResource(AuthService auth, AuditLog audit) {
        this.auth = auth;
        this.audit = audit;
    }

    @Override
    public void mount(Router api) {
        Access.route(api.get("/projects/:project/members"), Permission.MANAGE, ProjectFrom.PATH).handler(ctx -> {
            String project = Http.pathName(ctx, "project", "project");
            Http.blocking(ctx, () -> {
                ObjectNode o = Json.object();
                ArrayNode items = o.putArray("items");
                for (Members.Member m : auth.members().of(project)) {
                    items.addObject().put("user", m.user()).put("role", m.role().wire()).put("updatedAt", TaskJson.iso(m.updatedAt()));
                }
                return o;
            });
        });
        Access.route(api.put("/projects/:project/members/:user"), Permission.MANAGE, ProjectFrom.PATH).handler(Http.jsonBody()).handler(ctx -> {
            String project = Http.pathName(ctx, "project", "project");
            String user = Http.pathName(ctx, "user", "user");
            ObjectNode b = Http.body(ctx);
            Http.requireOnly(b, "role");
            Role role = Role.parse(Fields.string(b, "role", null, 16));
            AuditLog.Who who = audit == null ? null : audit.who(ctx);
            Http.write(ctx, 200, () -> {
                auth.users().find(user).orElseThrow(() -> DroverException.notFound("user", user));
                if (role != Role.OWNER) requireAnotherOwner(project, user);
                auth.members().put(project, user, role);
                if (audit != null) audit.record(who, "member.set", project + "/" + user, AuditLog.OK, role.wire());
                return Json.object().put("project", project).put("user", user).put("role", role.wire());
            });
        });
        Access.route(api.delete("/projects/:project/members/:user"), Permission.MANAGE, ProjectFrom.PATH).handler(ctx -> {
            String project = Http.pathName(ctx, "project", "project");
            String user = Http.pathName(ctx, "user", "user");
            AuditLog.Who who = audit == null ? null : audit.who(ctx);
            Http.write(ctx, 200, () -> {
                requireAnotherOwner(project, user);
                if (!auth.members().remove(project, user)) throw DroverException.notFound("member '" + user + "' of project", project);
                if (audit != null) audit.record(who, "member.delete", project + "/" + user, AuditLog.OK);
                return Json.object().put("project", project).put("user", user).put("removed", true);
            });
        });
    }

    /** Refuses to take the owner role from the last owner: nobody but admins could manage the project then. */
    private void requireAnotherOwner(String project, String user) {
        if (auth.members().role(project, user).orElse(null) != Role.OWNER) return;
        long owners = auth.members().of(project).stream().filter(m -> m.role() == Role.OWNER).count();
        if (owners <= 1) {
            throw DroverException.conflict("'" + user + "' is the last owner of project '" + project
                    + "'; make someone else owner first");
        }
    }
}

package io.drover.controller.secrets;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.mongodb.client.MongoCollection;
import com.mongodb.client.model.Filters;
import io.drover.controller.audit.AuditLog;
import io.drover.controller.auth.Access;
import io.drover.controller.auth.Permission;
import io.drover.controller.auth.ProjectFrom;
import io.drover.controller.http.ApiResource;
import io.drover.controller.http.Http;
import io.drover.shared.domain.DroverException;
import io.drover.shared.json.Json;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.util.function.Function;
import org.bson.Document;

/**
 * {@code /projects/{p}/secrets}: set, list (names and dates only) and delete. No route ever
 * answers with a value: values leave the controller only in an agent's claim response.
 */
public final class SecretsResource implements ApiResource {
    private final SecretStore store;
    private final MongoCollection<Document> projects;
    private final Function<RoutingContext, String> actor;
    private final AuditLog audit;

    /**
     * @param projects the {@code projects} collection (a secret needs its project to exist)
     * @param actor    who is calling, for {@code updatedBy}
     */
    public SecretsResource(SecretStore store, MongoCollection<Document> projects, Function<RoutingContext, String> actor) {
        this(store, projects, actor, null);
    }

    /** @param audit records secret.set / secret.delete (never the value), or null */
    public SecretsResource(SecretStore store, MongoCollection<Document> projects, Function<RoutingContext, String> actor,
                           AuditLog audit) {
        this.store = store;
        this.projects = projects;
        this.actor = actor;
        this.audit = audit;
    }

    @Override
    public void mount(Router api) {
        // owners (and admins) only: a viewer or member of the project cannot even list the names
        Access.route(api.put("/projects/:project/secrets/:name"), Permission.MANAGE, ProjectFrom.PATH)
                .handler(Http.jsonBody()).handler(this::set);
        Access.route(api.get("/projects/:project/secrets"), Permission.MANAGE, ProjectFrom.PATH).handler(this::list);
        Access.route(api.delete("/projects/:project/secrets/:name"), Permission.MANAGE, ProjectFrom.PATH).handler(this::delete);
    }

    private void set(RoutingContext ctx) {
        String project = Http.pathName(ctx, "project", "project");
        String name = SecretName.check(ctx.pathParam("name"));
        ObjectNode b = Http.body(ctx);
        Http.requireOnly(b, "value");
        JsonNode v = b.get("value");
        if (v != null && !v.isNull() && !v.isTextual()) throw DroverException.badRequest("'value' must be a string");
        String value = SecretName.checkValue(name, v == null || v.isNull() ? null : v.asText());
        String by = actor.apply(ctx);
        AuditLog.Who who = audit == null ? null : audit.who(ctx);
        Http.write(ctx, 200, () -> {
            requireProject(project);
            ObjectNode out = json(store.put(project, name, value, by));
            if (audit != null) audit.record(who, "secret.set", project + "/" + name, AuditLog.OK);
            return out;
        });
    }

    private void list(RoutingContext ctx) {
        String project = Http.pathName(ctx, "project", "project");
        Http.blocking(ctx, () -> {
            ObjectNode o = Json.object();
            ArrayNode items = o.putArray("items");
            store.list(project).forEach(i -> items.add(json(i)));
            return o;
        });
    }

    private void delete(RoutingContext ctx) {
        String project = Http.pathName(ctx, "project", "project");
        String name = SecretName.check(ctx.pathParam("name"));
        AuditLog.Who who = audit == null ? null : audit.who(ctx);
        Http.write(ctx, 200, () -> {
            if (!store.delete(project, name)) {
                throw DroverException.notFound("secret", name + "' in project '" + project);
            }
            if (audit != null) audit.record(who, "secret.delete", project + "/" + name, AuditLog.OK);
            return Json.object().put("name", name).put("deleted", true);
        });
    }

    /** Who is calling, for {@code updatedBy}. */
    public static String actor(RoutingContext ctx) {
        return Access.principal(ctx).actor();
    }

    private void requireProject(String project) {
        if (projects.find(Filters.eq("_id", project)).first() == null) {
            throw DroverException.notFound("project", project);
        }
    }

    private static ObjectNode json(SecretStore.Info i) {
        return Json.object().put("name", i.name())
                .put("updatedAt", i.updatedAt() == null ? null : i.updatedAt().toInstant().toString())
                .put("updatedBy", i.updatedBy());
    }
}

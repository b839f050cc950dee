package io.drover.controller.http;

import io.drover.controller.auth.Access;
import io.drover.controller.auth.Permission;
import io.drover.controller.auth.ProjectFrom;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.mongodb.ErrorCategory;
import com.mongodb.MongoWriteException;
import com.mongodb.client.MongoCollection;
import com.mongodb.client.model.Accumulators;
import com.mongodb.client.model.Aggregates;
import com.mongodb.client.model.Sorts;
import io.drover.controller.tasks.Catalog;
import io.drover.controller.tasks.Fields;
import io.drover.controller.tasks.TaskDoc;
import io.drover.controller.tasks.TaskJson;
import io.drover.shared.domain.DroverException;
import io.drover.shared.json.Json;
import io.vertx.ext.web.Router;
import java.util.ArrayList;
import java.util.Date;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.bson.Document;

/** {@code /projects}: create and list (projects are also created by the first task naming them). */
public final class ProjectsResource implements ApiResource {
    private final Catalog catalog;
    private final MongoCollection<Document> tasks;

    public ProjectsResource(Catalog catalog, MongoCollection<Document> tasks) {
        this.catalog = catalog;
        this.tasks = tasks;
    }

    @Override
    public void mount(Router api) {
        Access.route(api.post("/projects"), Permission.WRITE, ProjectFrom.BODY_NAME, Http.jsonBody()).handler(ctx -> {
            ObjectNode b = Http.body(ctx);
            Http.requireOnly(b, "name", "description");
            String name = Fields.name(b, "name", null);
            if (name == null) throw Fields.bad("'name' is required");
            String description = Fields.string(b, "description", null, 4096);
            var principal = Access.principal(ctx);
            var auth = Access.service(ctx);
            Http.write(ctx, 201, () -> {
                Document d = new Document("_id", name).append("description", description).append("createdAt", new Date())
                        .append("createdBy", principal.name());
                try {
                    catalog.projects().insertOne(d);
                } catch (MongoWriteException e) {
                    if (e.getError().getCategory() == ErrorCategory.DUPLICATE_KEY) {
                        throw DroverException.conflict("project '" + name + "' already exists");
                    }
                    throw e;
                }
                // the creator owns the project (with auth off the caller is "local", no member needed)
                if (principal.kind() == io.drover.controller.auth.Principal.Kind.USER) auth.members().addOwnerIfAbsent(name, principal.name());
                return json(d, 0);
            });
        });
        Access.route(api.get("/projects"), Permission.AUTHENTICATED).handler(ctx -> Http.blocking(ctx, () -> {
            java.util.Set<String> visible = Access.service(ctx).readableProjects(Access.principal(ctx));
            Map<String, Long> counts = new HashMap<>();
            tasks.aggregate(List.of(Aggregates.group("$" + TaskDoc.PROJECT, Accumulators.sum("n", 1))))
                    .forEach(g -> counts.put(String.valueOf(g.get("_id")), ((Number) g.get("n")).longValue()));
            ObjectNode o = Json.object();
            ArrayNode items = o.putArray("items");
            for (Document p : catalog.projects().find().sort(Sorts.ascending("_id")).into(new ArrayList<>())) {
                if (visible != null && !visible.contains(p.getString("_id"))) continue;
                items.add(json(p, counts.getOrDefault(p.getString("_id"), 0L)));
            }
            return o;
        }));
    }

    private static ObjectNode json(Document p, long taskCount) {
        return Json.object().put("name", p.getString("_id")).put("description", p.getString("description"))
                .put("createdAt", TaskJson.iso(p.get("createdAt"))).put("taskCount", taskCount);
    }
}

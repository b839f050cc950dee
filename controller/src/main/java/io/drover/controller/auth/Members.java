package io.drover.controller.auth;

import com.mongodb.ErrorCategory;
import com.mongodb.MongoWriteException;
import com.mongodb.client.MongoCollection;
import com.mongodb.client.model.Filters;
import com.mongodb.client.model.ReplaceOptions;
import com.mongodb.client.model.Sorts;
import java.util.ArrayList;
import java.util.Date;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.bson.Document;

/**
 * The {@code members} collection: {@code _id} = {@code project + ":" + username}, project, user,
 * role ({@code owner|member|viewer}). The per-request check is an exact {@code _id} lookup (fast on
 * the embedded store, which ignores secondary indexes); listing a user's or a project's members
 * scans this small collection. Blocking: call on the store pool.
 */
public final class Members {
    public static final String COLLECTION = "members";
    /** {@code source} of a membership granted by a directory login rather than by hand. */
    static final String DIRECTORY = "ldap";

    public record Member(String project, String user, Role role, Date updatedAt) {}

    private final MongoCollection<Document> members;

    public Members(MongoCollection<Document> members) {
        this.members = members;
    }

    static String key(String project, String user) {
        return project + ":" + user;
    }

    public Optional<Role> role(String project, String user) {
        if (project == null || user == null) return Optional.empty();
        Document d = members.find(Filters.eq("_id", key(project, user))).first();
        return d == null ? Optional.empty() : Optional.of(Role.parse(d.getString("role")));
    }

    public void put(String project, String user, Role role) {
        members.replaceOne(Filters.eq("_id", key(project, user)), doc(project, user, role), new ReplaceOptions().upsert(true));
    }

    /** Makes {@code user} owner unless the project already has this member (race-free on {@code _id}). */
    public void addOwnerIfAbsent(String project, String user) {
        try {
            members.insertOne(doc(project, user, Role.OWNER));
        } catch (MongoWriteException e) {
            if (e.getError().getCategory() != ErrorCategory.DUPLICATE_KEY) throw e;
        }
    }

    /**
     * Applies the roles a directory (LDAP) login maps to: directory-granted roles are added or
     * updated, and those the user's groups no longer give are removed, so leaving a group takes
     * the role away at the next login. Roles granted by hand are never touched.
     */
    public void syncDirectoryRoles(String user, Map<String, Role> roles) {
        for (Document d : members.find(Filters.eq("user", user))) {
            if (DIRECTORY.equals(d.getString("source")) && !roles.containsKey(d.getString("project"))) {
                members.deleteOne(Filters.eq("_id", d.getString("_id")));
            }
        }
        roles.forEach((project, role) -> {
            Document existing = members.find(Filters.eq("_id", key(project, user))).first();
            if (existing != null && !DIRECTORY.equals(existing.getString("source"))) return; // a hand-made grant wins
            members.replaceOne(Filters.eq("_id", key(project, user)), doc(project, user, role).append("source", DIRECTORY),
                    new ReplaceOptions().upsert(true));
        });
    }

    public boolean remove(String project, String user) {
        return members.deleteOne(Filters.eq("_id", key(project, user))).getDeletedCount() > 0;
    }

    /** project → role for one user. */
    public Map<String, String> rolesOf(String user) {
        Map<String, String> out = new LinkedHashMap<>();
        for (Document d : members.find(Filters.eq("user", user)).sort(Sorts.ascending("project"))) {
            out.put(d.getString("project"), d.getString("role"));
        }
        return out;
    }

    public List<Member> of(String project) {
        List<Member> out = new ArrayList<>();
        for (Document d : members.find(Filters.eq("project", project)).sort(Sorts.ascending("user"))) {
            out.add(new Member(project, d.getString("user"), Role.parse(d.getString("role")), d.getDate("updatedAt")));
        }
        return out;
    }

    private static Document doc(String project, String user, Role role) {
        return new Document("_id", key(project, user)).append("project", project).append("user", user)
                .append("role", role.wire()).append("updatedAt", new Date());
    }
}

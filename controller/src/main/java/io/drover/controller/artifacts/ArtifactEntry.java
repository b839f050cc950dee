package io.drover.controller.artifacts;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.drover.shared.json.Json;
import java.time.Instant;
import java.util.Date;
import org.bson.Document;

/** One element of a task's {@code artifacts} array. */
public record ArtifactEntry(String name, long size, String sha256, String contentType, Instant createdAt) {

    Document toDocument() {
        return new Document("name", name).append("size", size).append("sha256", sha256)
                .append("contentType", contentType).append("createdAt", Date.from(createdAt));
    }

    static ArtifactEntry fromDocument(Document d) {
        Object created = d.get("createdAt");
        Instant at = created instanceof Date date ? date.toInstant()
                : created instanceof String s ? Instant.parse(s) : null;
        Number size = d.get("size", Number.class);
        return new ArtifactEntry(d.getString("name"), size == null ? 0 : size.longValue(), d.getString("sha256"),
                d.getString("contentType"), at);
    }

    /** The API form: {@code {"name","size","sha256","contentType","createdAt"}}. */
    public ObjectNode toJson() {
        ObjectNode o = Json.object().put("name", name).put("size", size).put("sha256", sha256).put("contentType", contentType);
        o.put("createdAt", createdAt == null ? null : createdAt.toString());
        return o;
    }
}

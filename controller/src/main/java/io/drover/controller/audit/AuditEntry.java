package io.drover.controller.audit;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.drover.shared.json.Json;
import java.time.Instant;
import java.util.Date;
import org.bson.Document;

/**
 * One audit record as stored in the {@code audit} collection and returned by {@code GET /audit}.
 *
 * @param actor   who: a username, {@code key:<id>}, {@code worker:<name>}, or {@code anonymous}
 * @param action  what, dotted ({@code task.enqueue}, {@code login}, {@code secret.use}; see {@link AuditLog})
 * @param target  on what: a task id, {@code project/NAME}, a username, a key id
 * @param ip      the caller's address as the controller saw it
 * @param outcome {@link AuditLog#OK}, {@link AuditLog#FAILED} or {@link AuditLog#DENIED}
 * @param detail  optional free text (a reason, an error message); never a secret
 */
public record AuditEntry(String id, Instant at, String actor, String action, String target, String ip,
                         String outcome, String detail) {

    Document toDocument() {
        Document d = new Document("_id", id).append("at", Date.from(at)).append("actor", actor)
                .append("action", action).append("target", target).append("ip", ip).append("outcome", outcome);
        if (detail != null) d.append("detail", detail);
        return d;
    }

    static AuditEntry of(Document d) {
        Date at = d.getDate("at");
        return new AuditEntry(d.getString("_id"), at == null ? null : at.toInstant(), d.getString("actor"),
                d.getString("action"), d.getString("target"), d.getString("ip"), d.getString("outcome"),
                d.getString("detail"));
    }

    /** The API form: {@code {"id","at","actor","action","target","ip","outcome","detail"?}}. */
    public ObjectNode toJson() {
        ObjectNode o = Json.object().put("id", id).put("at", at == null ? null : at.toString()).put("actor", actor)
                .put("action", action).put("target", target).put("ip", ip).put("outcome", outcome);
        if (detail != null) o.put("detail", detail);
        return o;
    }
}

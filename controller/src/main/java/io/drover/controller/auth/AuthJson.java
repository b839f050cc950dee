package io.drover.controller.auth;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.drover.controller.tasks.TaskJson;
import io.drover.shared.json.Json;

/** JSON shapes of users and keys (docs/API.md); never a hash or a secret. */
final class AuthJson {
    private AuthJson() {}

    static ObjectNode user(Users.User u) {
        return Json.object().put("username", u.username()).put("displayName", u.displayName()).put("admin", u.admin())
                .put("disabled", u.disabled()).put("source", u.source()).put("createdAt", TaskJson.iso(u.createdAt()));
    }

    static ObjectNode key(ApiKeys.Key k) {
        return Json.object().put("id", k.id()).put("name", k.name()).put("kind", k.kind().wire()).put("user", k.user())
                .put("createdAt", TaskJson.iso(k.createdAt())).put("lastUsedAt", TaskJson.iso(k.lastUsedAt()))
                .put("revoked", k.revoked());
    }
}

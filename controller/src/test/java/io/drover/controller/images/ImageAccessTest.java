package io.drover.controller.images;

import static org.assertj.core.api.Assertions.assertThat;

import io.drover.controller.testing.Api;
import io.drover.controller.testing.ProjectRoles;
import io.drover.shared.json.Json;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The image routes with auth ON: members write through /user, viewers only read, the agent route needs the lease. */
class ImageAccessTest {
    @TempDir
    static Path dir;
    static ProjectRoles roles;
    static final byte[] PNG = {(byte) 0x89, 'P', 'N', 'G', 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 13};

    @BeforeAll
    static void start() throws Exception {
        roles = ProjectRoles.start(dir);
    }

    @AfterAll
    static void stop() {
        if (roles != null) roles.close();
    }

    static Api.Res put(String path, String key) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(roles.controller.baseUrl() + "/api/v1" + path))
                .header("Content-Type", "image/png").timeout(java.time.Duration.ofSeconds(60)).PUT(HttpRequest.BodyPublishers.ofByteArray(PNG));
        if (key != null) b.header("Authorization", "Bearer " + key);
        return new Api(roles.controller.baseUrl()).send(b.build());
    }

    static int getBytes(String path, String key) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(roles.controller.baseUrl() + "/api/v1" + path)).timeout(java.time.Duration.ofSeconds(60));
        if (key != null) b.header("Authorization", "Bearer " + key);
        return java.net.http.HttpClient.newHttpClient().send(b.build(), HttpResponse.BodyHandlers.discarding()).statusCode();
    }

    @Test
    void membersWriteViewersReadOthersNothing() throws Exception {
        String task = roles.task;
        var k = roles.keys();
        assertThat(put("/tasks/" + task + "/images/user?metric=m&iter=1", k.get("max")).status()).isEqualTo(201);
        assertThat(put("/tasks/" + task + "/images/user?metric=m&iter=2", k.get("vera")).status()).isEqualTo(403);
        assertThat(put("/tasks/" + task + "/images/user?metric=m&iter=2", k.get("sam")).status()).isEqualTo(403);
        assertThat(put("/tasks/" + task + "/images/user?metric=m&iter=2", null).status()).isEqualTo(401);
        assertThat(roles.call("GET", "/tasks/" + task + "/images", null, k.get("vera")).json().path("items")).hasSize(1);
        assertThat(getBytes("/tasks/" + task + "/images/1", k.get("vera"))).isEqualTo(200);
        assertThat(roles.call("GET", "/tasks/" + task + "/images", null, k.get("sam")).status()).isEqualTo(403);
        assertThat(getBytes("/tasks/" + task + "/images/1", k.get("sam"))).isEqualTo(403);
        assertThat(getBytes("/tasks/" + task + "/images/1", null)).isEqualTo(401);
    }

    @Test
    void theAgentRouteNeedsAWorkerKeyWithTheLease() {
        String task = roles.task;
        assertThat(put("/tasks/" + task + "/images?epoch=1&metric=m&iter=1", roles.keys().get("olivia")).status()).isEqualTo(403);
        String worker = roles.call("POST", "/keys", Json.object().put("kind", "worker").put("name", "agent"), roles.admin).json().path("key").asText();
        assertThat(put("/tasks/" + task + "/images?epoch=1&metric=m&iter=1", worker).status()).isEqualTo(403); // no lease header
        assertThat(put("/tasks/" + task + "/images/user?metric=m&iter=1", worker).status()).isEqualTo(403);
    }
}

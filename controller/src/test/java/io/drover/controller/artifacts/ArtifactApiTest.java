package io.drover.controller.artifacts;

import static io.drover.controller.logs.ExtrasFixture.json;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.drover.controller.logs.ExtrasFixture;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Artifact upload, list and download over real HTTP, files in a real data directory. */
class ArtifactApiTest {
    @TempDir
    static Path dir;
    static ExtrasFixture f;

    @BeforeAll
    static void start() throws Exception {
        f = new ExtrasFixture(dir);
    }

    @AfterAll
    static void stop() {
        f.close();
    }

    static HttpResponse<String> put(String id, String encodedName, long epoch, byte[] body) throws Exception {
        return f.http.send(HttpRequest.newBuilder(f.uri("/api/v1/tasks/" + id + "/artifacts/" + encodedName + "?epoch=" + epoch))
                .PUT(HttpRequest.BodyPublishers.ofByteArray(body)).build(), HttpResponse.BodyHandlers.ofString());
    }

    static HttpResponse<byte[]> download(String id, String encodedName) throws Exception {
        return f.http.send(HttpRequest.newBuilder(f.uri("/api/v1/tasks/" + id + "/artifacts/" + encodedName)).build(),
                HttpResponse.BodyHandlers.ofByteArray());
    }

    static String sha256(byte[] b) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(b));
    }

    @Test
    void uploadAndDownloadRoundTripWithChecksumAndContentType() throws Exception {
        String id = f.runningTask("artifacts", 2);
        byte[] data = new byte[3 * 1024 * 1024 + 17]; // several buffers: really streamed
        new Random(1).nextBytes(data);
        HttpResponse<String> r = put(id, "model%2Fweights.bin", 2, data);
        assertThat(r.statusCode()).as(r.body()).isEqualTo(201);
        JsonNode meta = json(r);
        assertThat(meta.path("name").asText()).isEqualTo("model/weights.bin");
        assertThat(meta.path("size").asLong()).isEqualTo(data.length);
        assertThat(meta.path("sha256").asText()).isEqualTo(sha256(data));
        assertThat(meta.path("contentType").asText()).isEqualTo("application/octet-stream");
        assertThat(dir.resolve("artifacts").resolve(id).resolve("model/weights.bin")).hasBinaryContent(data);
        try (Stream<Path> tmp = Files.list(dir.resolve("artifacts/.tmp"))) {
            assertThat(tmp).as("temp files are moved, not left behind").isEmpty();
        }

        HttpResponse<byte[]> d = download(id, "model%2Fweights.bin");
        assertThat(d.statusCode()).isEqualTo(200);
        assertThat(d.body()).isEqualTo(data);
        assertThat(d.headers().firstValue("Content-Disposition")).hasValueSatisfying(v -> assertThat(v).contains("filename=\"weights.bin\""));

        byte[] text = "accuracy 0.93\n".getBytes();
        JsonNode txt = json(put(id, "report.txt", 2, text));
        assertThat(txt.path("contentType").asText()).isEqualTo("text/plain");
        HttpResponse<byte[]> t = download(id, "report.txt");
        assertThat(t.headers().firstValue("Content-Type")).hasValue("text/plain");
        assertThat(t.body()).isEqualTo(text);
        // the raw '/' form of the name reaches the same artifact
        assertThat(download(id, "model/weights.bin").body()).isEqualTo(data);

        JsonNode empty = json(put(id, "empty.log", 2, new byte[0]));
        assertThat(empty.path("size").asLong()).isZero();
        assertThat(empty.path("sha256").asText()).isEqualTo(sha256(new byte[0]));
        assertThat(download(id, "empty.log").body()).isEmpty();

        JsonNode list = json(f.get("/api/v1/tasks/" + id + "/artifacts"));
        assertThat(list.path("items")).hasSize(3);
        assertThat(list.path("items").findValuesAsText("name")).containsExactlyInAnyOrder("model/weights.bin", "report.txt", "empty.log");
        assertThat(list.path("items").get(0).path("createdAt").asText()).isNotBlank();
    }

    @Test
    void uploadingTheSameNameReplacesIt() throws Exception {
        String id = f.runningTask("overwrite", 1);
        assertThat(put(id, "out.json", 1, "{\"v\":1}".getBytes()).statusCode()).isEqualTo(201);
        HttpResponse<String> second = put(id, "out.json", 1, "{\"v\":2,\"more\":true}".getBytes());
        assertThat(second.statusCode()).isEqualTo(201);
        JsonNode items = json(f.get("/api/v1/tasks/" + id + "/artifacts")).path("items");
        assertThat(items).hasSize(1);
        assertThat(items.get(0).path("size").asLong()).isEqualTo(19);
        assertThat(items.get(0).path("sha256").asText()).isEqualTo(sha256("{\"v\":2,\"more\":true}".getBytes()));
        HttpResponse<byte[]> d = download(id, "out.json");
        assertThat(new String(d.body())).isEqualTo("{\"v\":2,\"more\":true}");
        assertThat(d.headers().firstValue("Content-Type")).hasValue("application/json");
    }

    @Test
    void namesThatLeaveTheTaskFolderAreRefused() throws Exception {
        String id = f.runningTask("traversal", 1);
        for (String bad : new String[] {"..%2Fx", "%2E%2E%2Fx", "%2Fetc%2Fpasswd", "a%5Cb", "a%2F..%2F..%2Fb", "a%00b", "x".repeat(513)}) {
            HttpResponse<String> r = put(id, bad, 1, "evil".getBytes());
            assertThat(r.statusCode()).as(bad).isEqualTo(400);
            assertThat(json(r).path("error").path("message").asText()).as(bad).contains("relative path");
        }
        assertThat(download(id, "%2Fetc%2Fpasswd").statusCode()).isEqualTo(400);
        try (Stream<Path> all = Files.walk(dir)) {
            assertThat(all.filter(p -> p.getFileName().toString().equals("x") || p.getFileName().toString().equals("b"))).isEmpty();
        }
        assertThat(json(f.get("/api/v1/tasks/" + id + "/artifacts")).path("items")).isEmpty();
    }

    @Test
    void staleEpochAndBadRequestsAreRefused() throws Exception {
        String id = f.runningTask("fenced", 5);
        HttpResponse<String> stale = put(id, "a.txt", 4, "x".getBytes());
        assertThat(stale.statusCode()).isEqualTo(409);
        assertThat(json(stale).path("error").path("code").asText()).isEqualTo("stale_lease");
        HttpResponse<String> noEpoch = f.http.send(HttpRequest.newBuilder(f.uri("/api/v1/tasks/" + id + "/artifacts/a.txt"))
                .PUT(HttpRequest.BodyPublishers.ofString("x")).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(noEpoch.statusCode()).isEqualTo(400);
        assertThat(json(noEpoch).path("error").path("message").asText()).contains("epoch");
        assertThat(download(id, "missing.txt").statusCode()).isEqualTo(404);
        assertThat(f.get("/api/v1/tasks/0123456789abcdef01234567/artifacts").statusCode()).isEqualTo(404);
        assertThat(json(f.get("/api/v1/tasks/" + id + "/artifacts")).path("items")).isEmpty();
    }
}

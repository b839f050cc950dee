package io.drover.controller.images;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.drover.controller.logs.ExtrasFixture;
import io.drover.controller.tasks.TaskEvents;
import io.drover.controller.testing.Api;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Debug images over real HTTP (auth off) on the embedded store: round trip, listing, fencing, limits, retention. */
class ImageApiTest {
    @TempDir
    static Path dir;
    static ExtrasFixture f;
    static Api api;
    static final List<String> REPORTED = new CopyOnWriteArrayList<>();

    @BeforeAll
    static void start() throws Exception {
        f = new ExtrasFixture(dir);
        api = new Api(f.controller.baseUrl());
        f.controller.services().events().add(new TaskEvents.Listener() {
            @Override
            public void report(String taskId, String kind) {
                REPORTED.add(taskId + ":" + kind);
            }
        });
    }

    @AfterAll
    static void stop() {
        f.close();
    }

    static byte[] png(int w, int h, int rgb) throws Exception {
        BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        for (int x = 0; x < w; x++) for (int y = 0; y < h; y++) img.setRGB(x, y, rgb + x * y);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ImageIO.write(img, "png", out);
        return out.toByteArray();
    }

    /** A tiny body that starts like a PNG (enough for the magic check). */
    static byte[] fakePng(int n) {
        byte[] b = new byte[16 + n];
        byte[] magic = {(byte) 0x89, 'P', 'N', 'G', 0x0D, 0x0A, 0x1A, 0x0A};
        System.arraycopy(magic, 0, b, 0, magic.length);
        b[8] = (byte) n;
        return b;
    }

    static Api.Res put(String path, String type, byte[] body) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(f.controller.baseUrl() + "/api/v1" + path))
                .timeout(java.time.Duration.ofSeconds(60)).PUT(HttpRequest.BodyPublishers.ofByteArray(body));
        if (type != null) b.header("Content-Type", type);
        return api.send(b.build());
    }

    static HttpResponse<byte[]> raw(String path) throws Exception {
        return f.http.send(HttpRequest.newBuilder(URI.create(f.controller.baseUrl() + "/api/v1" + path)).timeout(java.time.Duration.ofSeconds(60)).build(),
                HttpResponse.BodyHandlers.ofByteArray());
    }

    @Test
    void bytesRoundTripThroughBothRoutesAndAreListedNewestFirst() throws Exception {
        String id = f.runningTask("images", 3);
        byte[] a = png(32, 16, 0x123456);
        Api.Res r = put("/tasks/" + id + "/images?epoch=3&metric=samples&variant=val&iter=7", "image/png", a);
        assertThat(r.status()).as(r.body()).isEqualTo(201);
        assertThat(r.json().path("seq").asLong()).isEqualTo(1);
        assertThat(r.json().path("size").asLong()).isEqualTo(a.length);
        assertThat(r.json().path("contentType").asText()).isEqualTo("image/png");
        assertThat(r.json().path("variant").asText()).isEqualTo("val");
        byte[] jpeg = {(byte) 0xFF, (byte) 0xD8, (byte) 0xFF, (byte) 0xE0, 1, 2, 3};
        assertThat(put("/tasks/" + id + "/images/user?metric=by%20hand&iter=0", "image/jpeg", jpeg).status()).isEqualTo(201);
        assertThat(REPORTED).contains(id + ":image");

        HttpResponse<byte[]> got = raw("/tasks/" + id + "/images/1");
        assertThat(got.statusCode()).isEqualTo(200);
        assertThat(got.body()).isEqualTo(a);
        assertThat(got.headers().firstValue("Content-Type")).hasValue("image/png");
        assertThat(got.headers().firstValue("Cache-Control").orElse("")).contains("immutable");
        assertThat(got.headers().firstValue("X-Content-Type-Options")).hasValue("nosniff");
        assertThat(ImageIO.read(new java.io.ByteArrayInputStream(got.body())).getWidth()).isEqualTo(32);
        assertThat(raw("/tasks/" + id + "/images/2").body()).isEqualTo(jpeg);
        assertThat(Files.exists(dir.resolve("images").resolve(id).resolve("1.png"))).isTrue();

        JsonNode list = api.okGet("/tasks/" + id + "/images");
        assertThat(list.path("items")).hasSize(2);
        JsonNode first = list.path("items").get(0);
        assertThat(first.path("seq").asLong()).isEqualTo(2);
        assertThat(first.path("metric").asText()).isEqualTo("by hand");
        assertThat(first.path("variant").asText()).isEmpty();
        assertThat(first.path("contentType").asText()).isEqualTo("image/jpeg");
        assertThat(first.path("ts").asText()).endsWith("Z");
        assertThat(list.path("next").isNull()).isTrue();
        JsonNode filtered = api.okGet("/tasks/" + id + "/images?metric=samples&variant=val");
        assertThat(filtered.path("items")).hasSize(1);
        assertThat(filtered.path("items").get(0).path("iter").asLong()).isEqualTo(7);
        assertThat(api.okGet("/tasks/" + id + "/images?metric=samples").path("items")).hasSize(1);
        assertThat(api.okGet("/tasks/" + id + "/images?metric=nope").path("items")).isEmpty();

        assertThat(api.get("/tasks/" + id + "/images/99").status()).isEqualTo(404);
        assertThat(api.get("/tasks/" + id + "/images/x").status()).isEqualTo(400);
        assertThat(api.get("/tasks/0123456789abcdef01234567/images").status()).isEqualTo(404);
        assertThat(api.get("/tasks/" + id + "/images?limit=0").status()).isEqualTo(400);
        assertThat(api.get("/tasks/" + id + "/images?metrc=a").errorMessage()).contains("metrc");
    }

    @Test
    void theAgentRouteIsFencedByTheLeaseEpoch() {
        String id = f.runningTask("fence", 5);
        Api.Res stale = put("/tasks/" + id + "/images?epoch=4&metric=m&iter=1", "image/png", fakePng(1));
        assertThat(stale.status()).isEqualTo(409);
        assertThat(stale.errorCode()).isEqualTo("stale_lease");
        assertThat(put("/tasks/" + id + "/images?metric=m&iter=1", "image/png", fakePng(1)).errorMessage()).contains("epoch");
        assertThat(put("/tasks/" + id + "/images/user?epoch=5&metric=m&iter=1", "image/png", fakePng(1)).status()).isEqualTo(400);
        f.setStatus(id, "completed");
        assertThat(put("/tasks/" + id + "/images?epoch=5&metric=m&iter=1", "image/png", fakePng(1)).status()).isEqualTo(409);
        // a user may still add images to a finished task
        assertThat(put("/tasks/" + id + "/images/user?metric=m&iter=1", "image/png", fakePng(1)).status()).isEqualTo(201);
        assertThat(api.okGet("/tasks/" + id + "/images").path("items")).hasSize(1);
    }

    @Test
    void limitsGiveClearErrors() {
        String id = f.runningTask("limits", 1);
        String url = "/tasks/" + id + "/images/user?metric=m&iter=1";
        Api.Res type = put(url, "text/html", "<script>".getBytes());
        assertThat(type.status()).isEqualTo(415);
        assertThat(type.errorMessage()).contains("image/png");
        assertThat(put(url, null, fakePng(1)).status()).isEqualTo(415);
        Api.Res big = put(url, "image/png", Arrays.copyOf(fakePng(1), (10 << 20) + 1));
        assertThat(big.status()).isEqualTo(413);
        assertThat(big.errorMessage()).contains("10 MiB");
        assertThat(put(url, "image/png", Arrays.copyOf(fakePng(1), 10 << 20)).status()).isEqualTo(201);
        // without Content-Length (chunked) the limit is enforced while reading
        Api.Res chunked = api.send(HttpRequest.newBuilder(URI.create(f.controller.baseUrl() + "/api/v1" + url)).header("Content-Type", "image/png")
                .timeout(java.time.Duration.ofSeconds(60))
                .PUT(HttpRequest.BodyPublishers.ofInputStream(() -> new java.io.ByteArrayInputStream(Arrays.copyOf(fakePng(1), (10 << 20) + 100))))
                .build());
        assertThat(chunked.status()).isEqualTo(413);
        assertThat(chunked.errorMessage()).contains("10 MiB");
        Api.Res lie = put(url, "image/png", "GIF89a....".getBytes());
        assertThat(lie.status()).isEqualTo(400);
        assertThat(lie.errorMessage()).contains("not a PNG");
        assertThat(put(url, "image/png", new byte[0]).status()).isEqualTo(400);
        assertThat(put("/tasks/" + id + "/images/user?iter=1", "image/png", fakePng(1)).errorMessage()).contains("metric");
        assertThat(put("/tasks/" + id + "/images/user?metric=m", "image/png", fakePng(1)).errorMessage()).contains("iter");
        assertThat(put("/tasks/" + id + "/images/user?metric=m&iter=-1", "image/png", fakePng(1)).status()).isEqualTo(400);
        assertThat(put("/tasks/" + id + "/images/user?metric=" + "m".repeat(129) + "&iter=1", "image/png", fakePng(1)).status()).isEqualTo(400);
        assertThat(put("/tasks/" + id + "/images/user?metric=m&iter=1&x=1", "image/png", fakePng(1)).errorMessage()).contains("'x'");
        assertThat(put("/tasks/0123456789abcdef01234567/images/user?metric=m&iter=1", "image/png", fakePng(1)).status()).isEqualTo(404);
        byte[] gif = "GIF89a\u0001\u0000".getBytes();
        assertThat(put(url, "image/gif", gif).json().path("contentType").asText()).isEqualTo("image/gif");
        byte[] webp = "RIFF\u0000\u0000\u0000\u0000WEBPVP8 ".getBytes();
        assertThat(put("/tasks/" + id + "/images/user?metric=w&iter=1", "image/webp", webp).status()).isEqualTo(201);
    }

    @Test
    void keepsTheNewest100IterationsPerSeriesAndReplacesTheSameIteration() throws Exception {
        String id = f.runningTask("retention", 1);
        for (int i = 0; i < 105; i++) {
            assertThat(put("/tasks/" + id + "/images?epoch=1&metric=grid&variant=a&iter=" + i, "image/png", fakePng(i)).status()).isEqualTo(201);
        }
        put("/tasks/" + id + "/images?epoch=1&metric=grid&variant=b&iter=0", "image/png", fakePng(0));
        // the same iteration again: replaces, does not add
        Api.Res again = put("/tasks/" + id + "/images?epoch=1&metric=grid&variant=a&iter=104", "image/png", fakePng(7));
        long last = again.json().path("seq").asLong();
        assertThat(last).isEqualTo(107);

        List<JsonNode> all = new ArrayList<>();
        Long before = null;
        do {
            JsonNode page = api.okGet("/tasks/" + id + "/images?metric=grid&variant=a&limit=30" + (before == null ? "" : "&before=" + before));
            page.path("items").forEach(all::add);
            before = page.path("next").isNull() ? null : page.path("next").asLong();
        } while (before != null);
        assertThat(all).hasSize(100);
        assertThat(all.get(0).path("seq").asLong()).isEqualTo(last);
        assertThat(all.get(0).path("iter").asLong()).isEqualTo(104);
        assertThat(all.stream().mapToLong(n -> n.path("iter").asLong()).min().orElseThrow()).isEqualTo(5);
        assertThat(all.stream().mapToLong(n -> n.path("iter").asLong()).distinct().count()).isEqualTo(100);
        // the removed ones are gone from disk and from reads
        assertThat(api.get("/tasks/" + id + "/images/1").status()).isEqualTo(404);
        assertThat(Files.exists(dir.resolve("images").resolve(id).resolve("1.png"))).isFalse();
        assertThat(api.get("/tasks/" + id + "/images/105").status()).isEqualTo(404); // replaced iteration 104
        assertThat(raw("/tasks/" + id + "/images/" + last).body()).isEqualTo(fakePng(7));
        try (var files = Files.list(dir.resolve("images").resolve(id))) {
            assertThat(files.count()).isEqualTo(101);
        }
        assertThat(api.okGet("/tasks/" + id + "/images?limit=500").path("items")).hasSize(101);
        assertThat(api.okGet("/tasks/" + id + "/images?variant=b").path("items")).hasSize(1);
    }
}

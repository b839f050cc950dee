package io.drover.controller.artifacts;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import io.drover.controller.Controller;
import io.drover.controller.config.ControllerConfig;
import io.drover.queue.TaskFields;
import io.drover.shared.domain.DroverException;
import io.drover.shared.domain.ErrorCode;
import io.drover.shared.domain.Ids;
import io.drover.shared.json.Json;
import io.vertx.core.Vertx;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Date;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.bson.Document;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * Artifact disk full (issue 6) on a real 2 MiB tmpfs mounted as the controller's artifact
 * directory (the store stays on the normal disk): a too-large upload answers 507 with what to do,
 * its partial file is gone, the rest of the API keeps working, and an upload fits again once
 * space is freed. Needs root (mount); skipped with the reason otherwise.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ArtifactDiskFullTest {
    static final int MIB = 1024 * 1024;

    @TempDir
    static Path dir;
    static Path volume;
    static Controller controller;
    static final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @BeforeAll
    static void mountAndStart() throws Exception {
        volume = Files.createDirectories(dir.resolve("artifacts"));
        String why = run("mount", "-t", "tmpfs", "-o", "size=2m", "tmpfs", volume.toString());
        Assumptions.assumeTrue(why == null, () -> "skipped: cannot mount a 2 MiB tmpfs (needs root or CAP_SYS_ADMIN): " + why);
        // no floor: the disk itself says "No space left on device"
        controller = Controller.start(ControllerConfig.defaults().withPort(0).withDataDir(dir).withAuth(false).withArtifactMinFreeMb(0));
    }

    @AfterAll
    static void stopAndUnmount() throws Exception {
        if (controller != null) controller.close();
        if (volume == null) return;
        String busy = run("umount", volume.toString());
        if (busy != null) {
            System.err.println("umount " + volume + ": " + busy + "; open files there: " + openFilesOnVolume());
            run("umount", "-l", volume.toString()); // lazy: the temp dir can go
        }
    }

    /** Runs a command; null when it worked, else its output. */
    static String run(String... cmd) throws IOException, InterruptedException {
        Process p;
        try {
            p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        } catch (IOException e) {
            return e.getMessage();
        }
        String out = new String(p.getInputStream().readAllBytes());
        if (!p.waitFor(20, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            return "timed out";
        }
        return p.exitValue() == 0 ? null : out.trim() + " (exit " + p.exitValue() + ")";
    }

    @Test
    @Order(1)
    void tooLargeChunkedUploadHitsEnospcAnd507WithoutLeftovers() throws Exception {
        String id = runningTask(1);
        // no Content-Length: the store only learns it does not fit when the disk says ENOSPC
        HttpResponse<String> r = put(id, "big.bin", 1, HttpRequest.BodyPublishers.ofInputStream(() -> new ByteArrayInputStream(bytes(3 * MIB))));
        assertThat(r.statusCode()).as(r.body()).isEqualTo(507);
        JsonNode err = Json.parse(r.body()).path("error");
        assertThat(err.path("code").asText()).isEqualTo("insufficient_storage");
        assertThat(err.path("message").asText())
                .contains("big.bin", "no free space left on the artifact volume", volume.toString(),
                        "free disk space on it or point --data at a larger disk");
        assertNoPartialFiles();
        assertThat(Json.parse(get("/api/v1/tasks/" + id + "/artifacts").body()).path("items")).isEmpty();

        // everything else keeps working: the task, its logs (write and read), health, a new task and its claim
        assertThat(get("/api/v1/tasks/" + id).statusCode()).isEqualTo(200);
        HttpResponse<String> logs = post("/api/v1/tasks/" + id + "/logs", Map.of("epoch", 1, "batch", 1,
                "lines", java.util.List.of(Map.of("ts", "2026-01-01T00:00:00Z", "stream", "stdout", "text", "still logging"))));
        assertThat(logs.statusCode()).as(logs.body()).isEqualTo(200);
        assertThat(get("/api/v1/tasks/" + id + "/logs").body()).contains("still logging");
        assertThat(get("/health").statusCode()).isEqualTo(200);
        HttpResponse<String> created = post("/api/v1/tasks", Map.of("name", "after-full", "queue", "diskfull", "enqueue", true,
                "script", Map.of("repo", "https://example.invalid/r.git", "entryPoint", "train.py")));
        assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
        assertThat(post("/api/v1/workers", Map.of("name", "w-diskfull", "queues", java.util.List.of("diskfull"),
                "hostname", "h", "pid", 1, "version", "t")).statusCode()).isEqualTo(200);
        HttpResponse<String> claim = post("/api/v1/workers/w-diskfull/claim", Map.of("queues", java.util.List.of("diskfull"), "wait", 1));
        assertThat(claim.statusCode()).as(claim.body()).isEqualTo(200);
        assertThat(Json.parse(claim.body()).path("task").path("name").asText()).isEqualTo("after-full");
    }

    @Test
    @Order(2)
    void announcedTooLargeUploadIsRefusedBeforeItIsRead() throws Exception {
        String id = runningTask(1);
        HttpResponse<String> r = put(id, "big.bin", 1, HttpRequest.BodyPublishers.ofByteArray(bytes(3 * MIB)));
        assertThat(r.statusCode()).as(r.body()).isEqualTo(507);
        assertThat(Json.parse(r.body()).path("error").path("message").asText())
                .contains("(3.0 MB) was not stored: only", "free space on the artifact volume", "point --data at a larger disk");
        assertNoPartialFiles();
    }

    @Test
    @Order(3)
    void aSmallUploadWorksOnceSpaceIsFreed() throws Exception {
        String id = runningTask(1);
        Path ballast = volume.resolve("ballast.bin");
        // The refused uploads before deleted their partial files, but their space comes back only
        // when the store's asynchronous close of those files has run. Wait until this JVM holds no
        // file on the volume, or the ballast below would fill a volume that frees itself a moment
        // later and the small upload would fit (seen twice in CI).
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
        while ((!openFilesOnVolume().isEmpty() || usable() < 3 * MIB / 2) && System.nanoTime() < deadline) Thread.sleep(50);
        assertThat(openFilesOnVolume()).as("files still open on the volume").isEmpty();
        assertThat(usable()).as("free space on the empty volume").isGreaterThanOrEqualTo(3 * MIB / 2);
        try {
            // fill the volume in small writes until ENOSPC, so even a small upload cannot fit; fill
            // again after a pause in case space came back meanwhile
            for (int round = 0; round < 2; round++) {
                fillUntilFull(ballast);
                Thread.sleep(200);
            }
            assertThat(usable()).as("free space after the ballast").isLessThan(100 * 1024);
            byte[] small = bytes(100 * 1024);
            HttpResponse<String> full = put(id, "small.bin", 1, HttpRequest.BodyPublishers.ofInputStream(() -> new ByteArrayInputStream(small)));
            assertThat(full.statusCode()).as(full.body()).isEqualTo(507);
            assertNoPartialFiles();
        } finally {
            Files.deleteIfExists(ballast); // the next test needs an empty volume either way
        }
        byte[] small = bytes(100 * 1024);
        HttpResponse<String> ok = put(id, "small.bin", 1, HttpRequest.BodyPublishers.ofByteArray(small));
        assertThat(ok.statusCode()).as(ok.body()).isEqualTo(201);
        HttpResponse<byte[]> back = http.send(HttpRequest.newBuilder(uri("/api/v1/tasks/" + id + "/artifacts/small.bin")).build(),
                HttpResponse.BodyHandlers.ofByteArray());
        assertThat(back.body()).isEqualTo(small);
    }

    @Test
    @Order(4)
    void theFloorRefusesAnUploadThatWouldLeaveLessThanTheMinimum() throws Exception {
        Vertx vertx = Vertx.vertx();
        try {
            LocalArtifactStore store = new LocalArtifactStore(vertx, volume, (long) (1.5 * MIB));
            String id = Ids.newId();
            // 1 MiB on an (almost) empty 2 MiB volume would leave < 1.5 MiB free
            var put = store.put(id, "model.bin", new LocalArtifactStoreTest.Source(1, false), MIB);
            assertThatThrownBy(() -> put.toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS))
                    .cause().isInstanceOf(DroverException.class)
                    .satisfies(e -> assertThat(((DroverException) e).code()).isEqualTo(ErrorCode.INSUFFICIENT_STORAGE))
                    .hasMessageContaining("keeps at least 1.5 MB free (--artifact-min-free-mb)");
            assertNoPartialFiles();
            // a small one that leaves the floor is stored
            LocalArtifactStoreTest.Source source = new LocalArtifactStoreTest.Source(3, false);
            var ok = vertx.getOrCreateContext().<Void>executeBlocking(() -> null).compose(x -> {
                var r = store.put(id, "note.txt", source, 24);
                source.pump(vertx);
                return r;
            });
            assertThat(ok.toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS).size()).isEqualTo(24);
        } finally {
            vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        }
    }

    /** Appends to the ballast file until the disk says ENOSPC. */
    static void fillUntilFull(Path ballast) throws IOException {
        try (var out = Files.newOutputStream(ballast, java.nio.file.StandardOpenOption.CREATE, java.nio.file.StandardOpenOption.APPEND)) {
            byte[] chunk = new byte[16 * 1024];
            for (int i = 0; i < 4 * MIB / chunk.length; i++) out.write(chunk);
        } catch (IOException expected) {
            assertThat(expected.getMessage()).contains("No space left");
        }
    }

    static long usable() throws IOException {
        return Files.getFileStore(volume).getUsableSpace();
    }

    /** This JVM's open file descriptors on the volume (a leaked handle keeps the tmpfs busy). */
    static java.util.List<String> openFilesOnVolume() throws IOException {
        java.util.List<String> open = new java.util.ArrayList<>();
        try (Stream<Path> fds = Files.list(Path.of("/proc/self/fd"))) {
            for (Path fd : (Iterable<Path>) fds::iterator) {
                try {
                    String target = Files.readSymbolicLink(fd).toString();
                    if (target.startsWith(volume.toString())) open.add(target);
                } catch (IOException ignored) {
                    // closed meanwhile
                }
            }
        }
        return open;
    }

    static void assertNoPartialFiles() throws IOException {
        Path tmp = volume.resolve(".tmp");
        if (!Files.isDirectory(tmp)) return;
        try (Stream<Path> s = Files.list(tmp)) {
            assertThat(s).as("the partial upload is deleted").isEmpty();
        }
    }

    static byte[] bytes(int n) {
        byte[] b = new byte[n];
        new Random(n).nextBytes(b);
        return b;
    }

    static String runningTask(long epoch) {
        String id = Ids.newId();
        Date now = new Date();
        controller.services().store().tasks().insertOne(new Document(TaskFields.ID, id)
                .append("name", "diskfull").append("project", "default").append(TaskFields.STATUS, "running")
                .append(TaskFields.QUEUE, "default").append(TaskFields.PRIORITY, 0).append(TaskFields.EPOCH, epoch)
                .append("createdAt", now).append("updatedAt", now)
                .append(TaskFields.EXECUTION, new Document("worker", "w1").append("attempt", 1).append("startedAt", now)));
        return id;
    }

    static URI uri(String path) {
        return URI.create(controller.baseUrl() + path);
    }

    static HttpResponse<String> put(String id, String name, long epoch, HttpRequest.BodyPublisher body) throws Exception {
        return http.send(HttpRequest.newBuilder(uri("/api/v1/tasks/" + id + "/artifacts/" + name + "?epoch=" + epoch))
                .timeout(Duration.ofSeconds(30)).PUT(body).build(), HttpResponse.BodyHandlers.ofString());
    }

    static HttpResponse<String> get(String path) throws Exception {
        return http.send(HttpRequest.newBuilder(uri(path)).timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.ofString());
    }

    static HttpResponse<String> post(String path, Object body) throws Exception {
        return http.send(HttpRequest.newBuilder(uri(path)).timeout(Duration.ofSeconds(30)).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(Json.write(body))).build(), HttpResponse.BodyHandlers.ofString());
    }
}

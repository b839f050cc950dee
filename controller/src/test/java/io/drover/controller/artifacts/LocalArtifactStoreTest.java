package io.drover.controller.artifacts;

import static org.assertj.core.api.Assertions.assertThat;

import io.drover.shared.domain.Ids;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.streams.ReadStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The local store alone: a failed upload leaves the previous file intact and no temp file behind. */
class LocalArtifactStoreTest {
    @TempDir
    Path dir;
    final Vertx vertx = Vertx.vertx();

    @AfterEach
    void close() throws Exception {
        vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    /** Emits {@code chunks} buffers, then ends or fails. */
    static final class Source implements ReadStream<Buffer> {
        final int chunks;
        final boolean fail;
        Handler<Buffer> data;
        Handler<Void> end;
        Handler<Throwable> error;
        long demand = Long.MAX_VALUE;
        int sent;

        Source(int chunks, boolean fail) {
            this.chunks = chunks;
            this.fail = fail;
        }

        void pump(Vertx vertx) {
            vertx.runOnContext(v -> {
                while (demand > 0 && sent < chunks) {
                    sent++;
                    if (demand != Long.MAX_VALUE) demand--;
                    data.handle(Buffer.buffer("chunk " + sent + "\n"));
                }
                if (sent == chunks && demand > 0) {
                    if (fail) error.handle(new java.io.IOException("client went away"));
                    else end.handle(null);
                    sent++;
                } else if (sent < chunks) {
                    vertx.setTimer(1, t -> pump(vertx));
                }
            });
        }

        @Override public ReadStream<Buffer> exceptionHandler(Handler<Throwable> h) { error = h; return this; }
        @Override public ReadStream<Buffer> handler(Handler<Buffer> h) { data = h; return this; }
        @Override public ReadStream<Buffer> pause() { demand = 0; return this; }
        @Override public ReadStream<Buffer> resume() { demand = Long.MAX_VALUE; return this; }
        @Override public ReadStream<Buffer> fetch(long n) { demand = Math.max(0, demand) + n; if (demand < 0) demand = Long.MAX_VALUE; return this; }
        @Override public ReadStream<Buffer> endHandler(Handler<Void> h) { end = h; return this; }
    }

    ArtifactStore.Stored put(LocalArtifactStore store, String task, String name, Source src) throws Exception {
        var f = vertx.getOrCreateContext().<ArtifactStore.Stored>executeBlocking(() -> null).compose(x -> {
            var r = store.put(task, name, src);
            src.pump(vertx);
            return r;
        });
        return f.toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    @Test
    void aFailedUploadKeepsThePreviousVersionAndCleansUp() throws Exception {
        LocalArtifactStore store = new LocalArtifactStore(vertx, dir.resolve("artifacts"));
        String task = Ids.newId();
        ArtifactStore.Stored ok = put(store, task, "out/log.txt", new Source(3, false));
        assertThat(ok.size()).isEqualTo(24);
        Path file = dir.resolve("artifacts").resolve(task).resolve("out/log.txt");
        assertThat(file).hasContent("chunk 1\nchunk 2\nchunk 3");

        org.assertj.core.api.Assertions.assertThatThrownBy(() -> put(store, task, "out/log.txt", new Source(5, true)))
                .hasMessageContaining("client went away");
        assertThat(file).hasContent("chunk 1\nchunk 2\nchunk 3");
        try (Stream<Path> tmp = Files.list(dir.resolve("artifacts/.tmp"))) {
            assertThat(tmp).isEmpty();
        }
    }
}

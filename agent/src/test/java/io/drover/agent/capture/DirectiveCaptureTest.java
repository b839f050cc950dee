package io.drover.agent.capture;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

/** Parsing of {@code ::drover} lines and the batching/retry of what they carry. */
class DirectiveCaptureTest {
    @Test
    void wellFormedLinesParse() {
        assertThat(DroverDirective.parse("::drover metric name=loss series=train iter=10 value=0.31"))
                .isEqualTo(new DroverDirective.Metric("loss", "train", 10, 0.31));
        assertThat(DroverDirective.parse("::drover metric name=acc variant=val iter=0 value=1e-3"))
                .isEqualTo(new DroverDirective.Metric("acc", "val", 0, 0.001));
        assertThat(DroverDirective.parse("::drover metric value=2 iter=3 name=lr"))
                .isEqualTo(new DroverDirective.Metric("lr", "", 3, 2.0));
        assertThat(DroverDirective.parse("::drover param name=lr value=0.5")).isEqualTo(new DroverDirective.Param("lr", "0.5"));
        assertThat(DroverDirective.parse("::drover param name=note value=\"two words\""))
                .isEqualTo(new DroverDirective.Param("note", "two words"));
        assertThat(DroverDirective.parse("::drover tag value=baseline")).isEqualTo(new DroverDirective.Tag("baseline"));
    }

    @Test
    void malformedLinesAreNotDirectives() {
        for (String bad : List.of("loss=0.3", " ::drover metric name=loss iter=1 value=1", "::drover", "::drover metric",
                "::drover metric name=loss iter=x value=1", "::drover metric name=loss iter=-1 value=1",
                "::drover metric name=loss iter=1 value=nan", "::drover metric name=loss iter=1 value=inf",
                "::drover metric name=loss iter=1", "::drover metric name= iter=1 value=1",
                "::drover metric name=loss iter=1 value=1 colour=red", "::drover metric name=loss name=x iter=1 value=1",
                "::drover metric name=" + "x".repeat(129) + " iter=1 value=1", "::drover param name=lr",
                "::drover param name=\"unclosed value=1", "::drover frobnicate name=x", "::drover metric name iter=1 value=1")) {
            assertThat(DroverDirective.parse(bad)).as(bad).isNull();
        }
    }

    @Test
    void metricsAreBatchedAndAFailedBatchIsRetriedUnderTheSameNumber() {
        List<Long> attempts = new CopyOnWriteArrayList<>();
        List<ObjectNode> stored = new CopyOnWriteArrayList<>();
        List<Map<String, String>> params = new CopyOnWriteArrayList<>();
        DirectiveCapture c = new DirectiveCapture(new DirectiveCapture.Sink() {
            @Override
            public void scalars(long batch, ObjectNode body) {
                attempts.add(batch);
                if (attempts.size() == 1) throw new IllegalStateException("controller briefly unreachable");
                stored.add(body.deepCopy());
            }

            @Override
            public void params(Map<String, String> p) {
                params.add(p);
            }
        }, "t", Duration.ofMillis(50));
        assertThat(c.accept("::drover metric name=loss series=train iter=1 value=0.5")).isTrue();
        assertThat(c.accept("::drover param name=lr value=0.1")).isTrue();
        assertThat(c.accept("plain line")).isFalse();
        c.close(Duration.ofSeconds(5));
        assertThat(attempts).containsExactly(DirectiveCapture.BATCH_BASE, DirectiveCapture.BATCH_BASE);
        assertThat(stored).hasSize(1);
        assertThat(stored.get(0).path("points").get(0).path("metric").asText()).isEqualTo("loss");
        assertThat(stored.get(0).path("points").get(0).path("variant").asText()).isEqualTo("train");
        assertThat(params).containsExactly(Map.of("lr", "0.1"));
    }

    @Test
    void aFullBatchGoesAtOnceAndBatchesHoldAtMostTheLimit() throws Exception {
        List<Integer> sizes = new CopyOnWriteArrayList<>();
        DirectiveCapture c = new DirectiveCapture(new DirectiveCapture.Sink() {
            @Override
            public void scalars(long batch, ObjectNode body) {
                sizes.add(body.path("points").size());
            }

            @Override
            public void params(Map<String, String> p) {}
        }, "t", Duration.ofMinutes(10));
        for (int i = 0; i < DirectiveCapture.MAX_BATCH + 5; i++) c.accept("::drover metric name=m iter=" + i + " value=1");
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        // the full batch goes without waiting for the (10 minute) interval
        while (sizes.isEmpty() && System.nanoTime() < deadline) Thread.sleep(20);
        assertThat(sizes).isNotEmpty();
        assertThat(sizes.get(0)).isEqualTo(DirectiveCapture.MAX_BATCH);
        c.close(Duration.ofSeconds(5));
        assertThat(sizes).containsExactly(DirectiveCapture.MAX_BATCH, 5);
    }

    @Test
    void tagsAreSentOnceAndInvalidOnesAreNotSent() {
        List<List<String>> sent = new CopyOnWriteArrayList<>();
        List<Integer> calls = new CopyOnWriteArrayList<>();
        DirectiveCapture c = new DirectiveCapture(new DirectiveCapture.Sink() {
            @Override
            public void scalars(long batch, ObjectNode body) {}

            @Override
            public void params(Map<String, String> p) {}

            @Override
            public void tags(List<String> tags) {
                calls.add(tags.size());
                if (calls.size() == 1) throw new IllegalStateException("controller briefly unreachable");
                sent.add(List.copyOf(tags));
            }
        }, "t", Duration.ofMillis(50));
        assertThat(c.accept("::drover tag value=baseline")).isTrue();
        assertThat(c.accept("::drover tag value=baseline")).isTrue();
        assertThat(c.accept("::drover tag value=not/valid")).isTrue();
        c.close(Duration.ofSeconds(5));
        assertThat(sent).containsExactly(List.of("baseline"));
    }
}

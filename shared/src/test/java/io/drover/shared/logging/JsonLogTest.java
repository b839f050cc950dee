package io.drover.shared.logging;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.helpers.BasicMDCAdapter;

class JsonLogTest {
    private static final ObjectMapper M = new ObjectMapper();

    @Test
    void oneValidJsonObjectPerLineWithEscapingStackAndMdc() throws Exception {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8);
        BasicMDCAdapter mdc = new BasicMDCAdapter();
        Logger log = new JsonLogProvider.Factory(() -> out, mdc).getLogger("io.drover.test.Thing");

        mdc.put("taskId", "t-42");
        mdc.put("worker", "gpu-box-1");
        mdc.put("level", "spoofed"); // must not replace the real level
        log.info("task {}: said \"hi\"\nand {}", "t-42", "left");
        mdc.clear();
        log.warn("task {} failed in the agent", "t-43", new IllegalStateException("boom \"quoted\""));
        log.debug("not shown: info is the default level");

        List<String> lines = bytes.toString(StandardCharsets.UTF_8).lines().toList();
        assertThat(lines).hasSize(2);
        JsonNode a = M.readTree(lines.get(0));
        assertThat(a.path("level").asText()).isEqualTo("INFO");
        assertThat(a.path("logger").asText()).isEqualTo("io.drover.test.Thing");
        assertThat(a.path("thread").asText()).isEqualTo(Thread.currentThread().getName());
        assertThat(a.path("msg").asText()).isEqualTo("task t-42: said \"hi\"\nand left");
        assertThat(a.path("taskId").asText()).isEqualTo("t-42");
        assertThat(a.path("worker").asText()).isEqualTo("gpu-box-1");
        assertThat(a.path("ts").asText()).matches("\\d{4}-\\d\\d-\\d\\dT.*Z");
        assertThat(a.has("error")).isFalse();

        JsonNode b = M.readTree(lines.get(1));
        assertThat(b.path("level").asText()).isEqualTo("WARN");
        assertThat(b.path("msg").asText()).isEqualTo("task t-43 failed in the agent");
        assertThat(b.has("taskId")).isFalse();
        assertThat(b.path("error").asText())
                .startsWith("java.lang.IllegalStateException: boom \"quoted\"")
                .contains("\tat io.drover.shared.logging.JsonLogTest.");
    }

    @Test
    void levelsFollowTheSimpleLoggerProperties() {
        System.setProperty(JsonLogProvider.PREFIX + "io.drover.quiet", "warn");
        try {
            assertThat(JsonLogProvider.threshold("io.drover.quiet.Inner")).isEqualTo(org.slf4j.event.Level.WARN.toInt());
            assertThat(JsonLogProvider.threshold("io.drover.loud")).isEqualTo(org.slf4j.event.Level.INFO.toInt());
        } finally {
            System.clearProperty(JsonLogProvider.PREFIX + "io.drover.quiet");
        }
    }

    @Test
    void formatFromFlagThenEnvironmentThenText() {
        Map<String, String> env = Map.of(LogFormat.ENV, "JSON");
        assertThat(LogFormat.choose(new String[] {"--port", "0"}, Map.of())).isEqualTo(LogFormat.TEXT);
        assertThat(LogFormat.choose(new String[] {"--port", "0"}, env)).isEqualTo(LogFormat.JSON);
        assertThat(LogFormat.choose(new String[] {"--log-format", "text"}, env)).isEqualTo(LogFormat.TEXT);
        assertThat(LogFormat.choose(new String[] {"agent", "--log-format=json"}, Map.of())).isEqualTo(LogFormat.JSON);
        assertThatThrownBy(() -> LogFormat.choose(new String[] {"--log-format", "xml"}, Map.of()))
                .hasMessage("--log-format must be 'text' or 'json', got 'xml'");
        assertThatThrownBy(() -> LogFormat.choose(new String[0], Map.of(LogFormat.ENV, "yaml")))
                .hasMessageContaining("DROVER_LOG_FORMAT must be 'text' or 'json'");
    }
}

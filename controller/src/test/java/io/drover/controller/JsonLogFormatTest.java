package io.drover.controller;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.drover.controller.testing.ChildController;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code drover controller --log-format json}: the real main path in a child JVM logs JSON lines only. */
class JsonLogFormatTest {
    @TempDir Path dir;

    @Test
    void controllerLogsOneJsonObjectPerLine() throws Exception {
        List<String> logLines;
        try (ChildController c = ChildController.start(dir.resolve("data"), dir.resolve("out.log"), "--log-format", "json")) {
            assertThat(c.url()).startsWith("http://");
            c.close();
            logLines = c.log().lines().filter(l -> l.startsWith("{")).toList();
            // slf4j-simple's text lines look like "2026-... [main] INFO io.drover..."
            assertThat(c.log().lines()).noneMatch(l -> l.matches(".*\\[[^]]+\\] (TRACE|DEBUG|INFO|WARN|ERROR) .*"));
        }
        assertThat(logLines).isNotEmpty();
        ObjectMapper m = new ObjectMapper();
        for (String l : logLines) {
            JsonNode n = m.readTree(l);
            assertThat(n.path("ts").asText()).isNotEmpty();
            assertThat(n.path("level").asText()).isIn("TRACE", "DEBUG", "INFO", "WARN", "ERROR");
            assertThat(n.path("logger").asText()).isNotEmpty();
            assertThat(n.path("thread").asText()).isNotEmpty();
            assertThat(n.has("msg")).isTrue();
        }
        assertThat(logLines).anyMatch(l -> l.contains("\"logger\":\"io.drover.controller."));
    }

    @Test
    void badFormatIsAUsageError() throws Exception {
        ChildController.Result r = ChildController.run(dir.resolve("data"), dir.resolve("out.log"), "--log-format", "xml");
        assertThat(r.exitCode()).isEqualTo(2);
        assertThat(r.output()).contains("--log-format must be 'text' or 'json', got 'xml'");
    }
}

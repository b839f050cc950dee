package io.drover.shared.logging;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.util.Map;
import java.util.Set;

/** One log event as one line of JSON: ts, level, logger, thread, msg, the MDC keys, error (with its stack). */
public final class JsonLogLine {
    private static final JsonFactory JSON = new JsonFactory();
    private static final Set<String> FIXED = Set.of("ts", "level", "logger", "thread", "msg", "error");

    private JsonLogLine() {}

    public static String format(Instant ts, String level, String logger, String thread, String msg,
                                Map<String, String> mdc, Throwable error) {
        StringWriter out = new StringWriter(160);
        try (JsonGenerator g = JSON.createGenerator(out)) {
            g.writeStartObject();
            g.writeStringField("ts", ts.toString());
            g.writeStringField("level", level);
            g.writeStringField("logger", logger);
            g.writeStringField("thread", thread);
            g.writeStringField("msg", msg);
            if (mdc != null) {
                // an MDC key never replaces a fixed field: a reader can trust "level" and "msg"
                for (Map.Entry<String, String> e : mdc.entrySet()) {
                    if (e.getKey() != null && e.getValue() != null && !FIXED.contains(e.getKey())) {
                        g.writeStringField(e.getKey(), e.getValue());
                    }
                }
            }
            if (error != null) g.writeStringField("error", stack(error));
            g.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e); // a StringWriter does not fail
        }
        return out.toString();
    }

    private static String stack(Throwable t) {
        StringWriter s = new StringWriter();
        t.printStackTrace(new PrintWriter(s));
        return s.toString().stripTrailing();
    }
}

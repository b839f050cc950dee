package io.drover.controller.ui;

import io.drover.shared.domain.TaskStatus;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;

/**
 * Renders {@code /}: the template {@code io/drover/ui/index.html} from the ui-static module with
 * the task rows filled in on the server (so the page works without JavaScript); {@code tasks.js}
 * then keeps the table current. Every value is escaped.
 */
public final class IndexPage {
    static final String TEMPLATE = "io/drover/ui/index.html";
    static final String ROWS_MARKER = "<!--drover:rows-->";

    private final String template;

    public IndexPage() {
        this.template = load(TEMPLATE);
        if (!template.contains(ROWS_MARKER)) {
            throw new IllegalStateException(TEMPLATE + " lacks the marker " + ROWS_MARKER + ": the ui-static jar does not match the controller");
        }
    }

    public String render(List<TaskRow> rows, Instant now) {
        StringBuilder b = new StringBuilder(rows.size() * 400 + 64);
        if (rows.isEmpty()) {
            b.append("<tr><td colspan=\"8\" class=\"empty\">No tasks yet: submit one with <code>drover submit</code>.</td></tr>");
        }
        for (TaskRow r : rows) row(b, r, now);
        return template.replace(ROWS_MARKER, b.toString());
    }

    private static void row(StringBuilder b, TaskRow r, Instant now) {
        String id = URLEncoder.encode(r.id(), StandardCharsets.UTF_8);
        b.append("<tr>");
        b.append("<td><a href=\"/ui/task.html?id=").append(Html.escape(id)).append("\">")
                .append(Html.escape(r.name() == null ? r.id() : r.name())).append("</a></td>");
        td(b, r.project());
        b.append("<td><span class=\"status status-").append(statusClass(r.status())).append("\">")
                .append(Html.escape(r.status())).append("</span></td>");
        td(b, r.queue());
        td(b, r.worker());
        td(b, r.createdAt() == null ? "" : r.createdAt().truncatedTo(ChronoUnit.SECONDS).toString());
        td(b, format(r.duration(now)));
        b.append("<td class=\"links\"><a href=\"/api/v1/tasks/").append(Html.escape(id)).append("\">json</a> ")
                .append("<a href=\"/ui/task.html?id=").append(Html.escape(id)).append("\">logs</a></td>");
        b.append("</tr>\n");
    }

    private static void td(StringBuilder b, String text) {
        b.append("<td>").append(Html.escape(text)).append("</td>");
    }

    /** Only known statuses become a CSS class; anything else is "unknown". */
    static String statusClass(String status) {
        try {
            return TaskStatus.parse(status).wire();
        } catch (IllegalArgumentException e) {
            return "unknown";
        }
    }

    static String format(Duration d) {
        if (d == null) return "";
        long s = d.toSeconds();
        if (s < 60) return s + "s";
        if (s < 3600) return (s / 60) + "m " + (s % 60) + "s";
        return (s / 3600) + "h " + (s % 3600 / 60) + "m";
    }

    private static String load(String resource) {
        try (InputStream in = IndexPage.class.getClassLoader().getResourceAsStream(resource)) {
            if (in == null) throw new IllegalStateException(resource + " is not on the classpath: is the drover-ui jar missing?");
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}

package io.drover.agent.cli.format;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;

/** A plain-text table with left-aligned columns sized to their content, for ls/queues/workers. */
public final class Table {
    private final List<String> header;
    private final List<List<String>> rows = new ArrayList<>();

    public Table(String... header) {
        this.header = List.of(header);
    }

    public Table row(String... cells) {
        if (cells.length != header.size()) throw new IllegalArgumentException("expected " + header.size() + " cells");
        List<String> r = new ArrayList<>();
        for (String c : cells) r.add(c == null || c.isEmpty() ? "-" : c.replace('\n', ' '));
        rows.add(r);
        return this;
    }

    public void print(PrintWriter out) {
        int[] w = new int[header.size()];
        for (int i = 0; i < w.length; i++) {
            w[i] = header.get(i).length();
            for (List<String> r : rows) w[i] = Math.max(w[i], r.get(i).length());
        }
        line(out, header, w);
        for (List<String> r : rows) line(out, r, w);
        out.flush();
    }

    private static void line(PrintWriter out, List<String> cells, int[] w) {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < cells.size(); i++) {
            if (i > 0) b.append("  ");
            b.append(cells.get(i));
            if (i < cells.size() - 1) b.append(" ".repeat(w[i] - cells.get(i).length()));
        }
        out.println(b);
    }
}

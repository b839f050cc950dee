package io.drover.agent.cli;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.List;
import java.util.Map;

/** One in-process run of the {@code drover} command line, with what it printed. */
record CliRun(int code, String out, String err) {
    static CliRun of(Map<String, String> env, String... args) {
        StringWriter o = new StringWriter();
        StringWriter e = new StringWriter();
        int code = DroverCli.run(args, env, new PrintWriter(o, true), new PrintWriter(e, true));
        return new CliRun(code, o.toString(), e.toString());
    }

    List<String> outLines() {
        return out.lines().toList();
    }

    String lastLine() {
        List<String> l = outLines();
        return l.isEmpty() ? "" : l.get(l.size() - 1);
    }
}

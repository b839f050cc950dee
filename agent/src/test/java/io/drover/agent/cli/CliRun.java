package io.drover.agent.cli;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.List;
import java.util.Map;

/** One in-process run of the {@code drover} command line, with what it printed. */
record CliRun(int code, String out, String err) {
    static CliRun of(Map<String, String> env, String... args) {
        return withStdin(env, "", args);
    }

    /** With {@code stdin} as standard input ({@code --password-stdin}, {@code --value-stdin}); never a terminal. */
    static CliRun withStdin(Map<String, String> env, String stdin, String... args) {
        StringWriter o = new StringWriter();
        StringWriter e = new StringWriter();
        int code = DroverCli.run(args, env, new java.io.ByteArrayInputStream(stdin.getBytes(java.nio.charset.StandardCharsets.UTF_8)),
                new PrintWriter(o, true), new PrintWriter(e, true));
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

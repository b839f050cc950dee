package io.drover.agent.launch;

import java.util.ArrayList;
import java.util.List;

/**
 * Splits a task's {@code args} string into arguments the way a POSIX shell would for plain words
 * and quotes, without running a shell: no variables, globs, pipes or command substitution, so a
 * task's args can never execute anything by themselves.
 * Single quotes keep everything literally; double quotes keep everything except {@code \"} and
 * {@code \\}; outside quotes a backslash escapes the next character.
 */
public final class ArgTokenizer {
    private ArgTokenizer() {}

    public static List<String> split(String s) {
        List<String> out = new ArrayList<>();
        if (s == null) return out;
        StringBuilder cur = new StringBuilder();
        boolean inWord = false;
        int i = 0;
        int n = s.length();
        while (i < n) {
            char c = s.charAt(i);
            if (Character.isWhitespace(c)) {
                if (inWord) {
                    out.add(cur.toString());
                    cur.setLength(0);
                    inWord = false;
                }
                i++;
            } else if (c == '\'') {
                int end = s.indexOf('\'', i + 1);
                if (end < 0) throw new IllegalArgumentException("unclosed single quote in args: " + s);
                cur.append(s, i + 1, end);
                inWord = true;
                i = end + 1;
            } else if (c == '"') {
                i++;
                boolean closed = false;
                while (i < n) {
                    char d = s.charAt(i);
                    if (d == '"') {
                        closed = true;
                        i++;
                        break;
                    }
                    if (d == '\\' && i + 1 < n && "\"\\$`".indexOf(s.charAt(i + 1)) >= 0) {
                        cur.append(s.charAt(i + 1));
                        i += 2;
                    } else {
                        cur.append(d);
                        i++;
                    }
                }
                if (!closed) throw new IllegalArgumentException("unclosed double quote in args: " + s);
                inWord = true;
            } else if (c == '\\') {
                if (i + 1 < n) cur.append(s.charAt(i + 1));
                inWord = true;
                i += 2;
            } else {
                cur.append(c);
                inWord = true;
                i++;
            }
        }
        if (inWord) out.add(cur.toString());
        return out;
    }
}

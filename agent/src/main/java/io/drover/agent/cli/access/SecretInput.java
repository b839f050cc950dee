package io.drover.agent.cli.access;

import io.drover.agent.cli.DroverCli;
import java.io.ByteArrayOutputStream;
import java.io.Console;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Reads a password or secret value without it ever being a command-line argument (which would
 * land in the shell history and the process list): from stdin when asked, else from the
 * terminal without echo.
 */
final class SecretInput {
    /** More than any password or token; stops a mistaken pipe from filling the heap. */
    static final int MAX_BYTES = 64 * 1024;

    private SecretInput() {}

    /** The first line of stdin (for {@code --password-stdin}). */
    static String firstLine(DroverCli root, String what) {
        String all = readStdin(root.in(), what);
        int nl = all.indexOf('\n');
        String line = nl < 0 ? all : all.substring(0, nl);
        return require(line.endsWith("\r") ? line.substring(0, line.length() - 1) : line, what);
    }

    /** All of stdin without one trailing newline (for {@code --value-stdin}: values may span lines). */
    static String all(DroverCli root, String what) {
        String all = readStdin(root.in(), what);
        if (all.endsWith("\r\n")) all = all.substring(0, all.length() - 2);
        else if (all.endsWith("\n")) all = all.substring(0, all.length() - 1);
        return require(all, what);
    }

    /**
     * Prompts on the terminal without echo; {@code confirm} asks twice. Without a terminal the
     * message names the stdin flag to use instead.
     */
    static String prompt(DroverCli root, String prompt, boolean confirm, String stdinFlag) {
        Console c = root.console();
        if (c == null) {
            throw new IllegalArgumentException("no terminal to ask for the " + prompt + " on: pass " + stdinFlag
                    + " and pipe it in (e.g. from a password manager or a file readable only by you)");
        }
        char[] first = c.readPassword("%s: ", prompt);
        if (first == null) throw new IllegalArgumentException("no " + prompt + " given (end of input)");
        try {
            if (confirm) {
                char[] again = c.readPassword("%s (again): ", prompt);
                try {
                    if (again == null || !Arrays.equals(first, again)) {
                        throw new IllegalArgumentException("the two entries differ; nothing was changed, try again");
                    }
                } finally {
                    if (again != null) Arrays.fill(again, ' ');
                }
            }
            return require(new String(first), prompt);
        } finally {
            Arrays.fill(first, ' ');
        }
    }

    /** A line typed on the terminal (echoed), or null without a terminal. */
    static String readLine(DroverCli root, String prompt) {
        Console c = root.console();
        if (c == null) return null;
        String s = c.readLine("%s: ", prompt);
        return s == null ? null : s.strip();
    }

    private static String readStdin(InputStream in, String what) {
        try {
            ByteArrayOutputStream b = new ByteArrayOutputStream();
            byte[] buf = new byte[4096];
            for (int n; (n = in.read(buf)) > 0; ) {
                b.write(buf, 0, n);
                if (b.size() > MAX_BYTES) {
                    throw new IllegalArgumentException("the " + what + " on stdin is longer than " + MAX_BYTES / 1024 + " KiB");
                }
            }
            return b.toString(StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot read the " + what + " from stdin: " + e.getMessage());
        }
    }

    private static String require(String s, String what) {
        if (s.isEmpty()) throw new IllegalArgumentException("the " + what + " is empty: nothing was sent");
        return s;
    }
}

package io.drover.controller.artifacts;

import io.drover.shared.domain.DroverException;
import java.io.ByteArrayOutputStream;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.ByteBuffer;

/**
 * Artifact names are relative paths ({@code model/weights.pt}) that become file paths under the
 * task's folder, so anything that could step outside it, or mean different things on different
 * systems, is refused.
 */
public final class ArtifactNames {
    public static final int MAX_LENGTH = 512;
    static final String RULES = "use a relative path of 1-" + MAX_LENGTH
            + " characters with '/' between its parts (URL-encoded as %2F); no '..' or '.' parts, no empty parts,"
            + " no leading '/', no backslash, no control characters";

    private ArtifactNames() {}

    /** @throws DroverException bad_request saying what is allowed */
    public static String check(String name) {
        String why = problem(name);
        if (why != null) {
            throw DroverException.badRequest("artifact name '" + printable(name) + "' is not allowed (" + why + "): " + RULES);
        }
        return name;
    }

    private static String problem(String name) {
        if (name == null || name.isEmpty()) return "it is empty";
        if (name.length() > MAX_LENGTH) return "it is " + name.length() + " characters long";
        if (name.startsWith("/")) return "it is an absolute path";
        if (name.indexOf('\\') >= 0) return "it contains a backslash";
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            if (c < 0x20 || c == 0x7f) return "it contains a control character";
        }
        for (String part : name.split("/", -1)) {
            if (part.equals("..")) return "it contains a '..' part";
            if (part.equals(".")) return "it contains a '.' part";
            if (part.isEmpty()) return "it contains an empty part";
        }
        return null;
    }

    /**
     * The name in a request path: everything after {@code /artifacts/}, percent-decoded as UTF-8
     * ({@code +} stays a plus).
     */
    public static String fromRawPath(String rawPath, String taskId) {
        String marker = "/tasks/" + taskId + "/artifacts/";
        int i = rawPath.indexOf(marker);
        if (i < 0) throw DroverException.badRequest("artifact name missing in path '" + printable(rawPath) + "': " + RULES);
        return check(decode(rawPath.substring(i + marker.length())));
    }

    static String decode(String s) {
        if (s.indexOf('%') < 0) return s;
        ByteArrayOutputStream out = new ByteArrayOutputStream(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '%') {
                int hi = i + 2 < s.length() ? Character.digit(s.charAt(i + 1), 16) : -1;
                int lo = hi >= 0 ? Character.digit(s.charAt(i + 2), 16) : -1;
                if (hi < 0 || lo < 0) {
                    throw DroverException.badRequest("artifact name '" + printable(s) + "' has a malformed %-escape at position " + i
                            + ": percent-encode the name as UTF-8 (e.g. %2F for '/')");
                }
                out.write(hi * 16 + lo);
                i += 2;
            } else {
                byte[] b = String.valueOf(c).getBytes(StandardCharsets.UTF_8);
                out.write(b, 0, b.length);
            }
        }
        try {
            return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(out.toByteArray())).toString();
        } catch (CharacterCodingException e) {
            throw DroverException.badRequest("artifact name '" + printable(s) + "' is not valid UTF-8 once percent-decoded");
        }
    }

    /** For messages: control characters shown as escapes, long names cut. */
    static String printable(String s) {
        if (s == null) return "";
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < s.length() && b.length() < 200; i++) {
            char c = s.charAt(i);
            if (c < 0x20 || c == 0x7f) b.append(String.format("\\u%04x", (int) c));
            else b.append(c);
        }
        if (b.length() >= 200) b.append("…");
        return b.toString();
    }

    /** The last part of a name, for Content-Disposition. */
    static String fileName(String name) {
        int i = name.lastIndexOf('/');
        return i < 0 ? name : name.substring(i + 1);
    }
}

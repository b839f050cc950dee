package io.drover.shared.domain;

import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.regex.Pattern;

/** Task and worker ids: 24 lower-case hex characters (the shape of a MongoDB ObjectId). */
public final class Ids {
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final Pattern ID = Pattern.compile("[0-9a-f]{24}");
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,63}");

    private Ids() {}

    /** A new id: 4 bytes of seconds since the epoch (so ids sort roughly by creation) + 8 random bytes. */
    public static String newId() {
        byte[] b = new byte[12];
        RANDOM.nextBytes(b);
        int secs = (int) (System.currentTimeMillis() / 1000);
        b[0] = (byte) (secs >>> 24);
        b[1] = (byte) (secs >>> 16);
        b[2] = (byte) (secs >>> 8);
        b[3] = (byte) secs;
        return HexFormat.of().formatHex(b);
    }

    /** A random secret of {@code bytes} bytes as hex (tokens). */
    public static String secret(int bytes) {
        byte[] b = new byte[bytes];
        RANDOM.nextBytes(b);
        return HexFormat.of().formatHex(b);
    }

    public static boolean isId(String s) {
        return s != null && ID.matcher(s).matches();
    }

    /** Names of projects, queues and workers: 1–64 of [A-Za-z0-9._-], not starting with a dot or dash. */
    public static boolean isName(String s) {
        return s != null && NAME.matcher(s).matches();
    }

    public static String requireId(String s, String what) {
        if (!isId(s)) {
            throw new IllegalArgumentException(what + " '" + s + "' is not a valid id (24 hex characters)");
        }
        return s;
    }

    public static String requireName(String s, String what) {
        if (!isName(s)) {
            throw new IllegalArgumentException(what + " '" + s
                    + "' is not a valid name: use 1-64 letters, digits, '.', '_' or '-', starting with a letter or digit");
        }
        return s;
    }
}

package io.drover.controller.auth;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Base64;
import org.bouncycastle.crypto.generators.Argon2BytesGenerator;
import org.bouncycastle.crypto.params.Argon2Parameters;

/**
 * Argon2id password hashes (BouncyCastle), encoded in the PHC string format with their
 * parameters ({@code $argon2id$v=19$m=19456,t=2,p=1$salt$hash}), so the cost can be raised later
 * without breaking stored hashes. Each hash has its own random salt. Blocking and deliberately
 * slow (tens of ms): call on the store pool, never on the event loop.
 */
public final class Passwords {
    /** OWASP's recommended minimum for Argon2id: 19 MiB, 2 iterations, 1 lane. */
    static final int MEMORY_KB = 19 * 1024;
    static final int ITERATIONS = 2;
    static final int PARALLELISM = 1;
    static final int SALT_BYTES = 16;
    static final int HASH_BYTES = 32;
    public static final int MIN_LENGTH = 12;

    private static final SecureRandom RANDOM = new SecureRandom();
    private static final Base64.Encoder B64 = Base64.getEncoder().withoutPadding();
    private static final Base64.Decoder B64D = Base64.getDecoder();
    /** Verified against when the user does not exist, so both cases take the same time. */
    private static final String DUMMY = hash("not a real password, only for timing");

    private Passwords() {}

    public static String hash(String password) {
        byte[] salt = new byte[SALT_BYTES];
        RANDOM.nextBytes(salt);
        byte[] h = derive(password, salt, MEMORY_KB, ITERATIONS, PARALLELISM, HASH_BYTES);
        return "$argon2id$v=19$m=" + MEMORY_KB + ",t=" + ITERATIONS + ",p=" + PARALLELISM + "$" + B64.encodeToString(salt)
                + "$" + B64.encodeToString(h);
    }

    /** Constant-time check of {@code password} against an encoded hash; a null or malformed hash never matches. */
    public static boolean verify(String password, String encoded) {
        if (password == null) return false;
        if (encoded == null) {
            verify(password, DUMMY); // same work as a real check
            return false;
        }
        String[] parts = encoded.split("\\$");
        // ["", "argon2id", "v=19", "m=..,t=..,p=..", salt, hash]
        if (parts.length != 6 || !parts[1].equals("argon2id")) return false;
        int m;
        int t;
        int p;
        byte[] salt;
        byte[] expected;
        try {
            String[] ps = parts[3].split(",");
            m = Integer.parseInt(ps[0].substring(2));
            t = Integer.parseInt(ps[1].substring(2));
            p = Integer.parseInt(ps[2].substring(2));
            salt = B64D.decode(parts[4]);
            expected = B64D.decode(parts[5]);
        } catch (RuntimeException e) {
            return false;
        }
        byte[] actual = derive(password, salt, m, t, p, expected.length);
        return MessageDigest.isEqual(actual, expected);
    }

    /** A random password for generated accounts: 20 characters without look-alikes. */
    public static String generate() {
        String alphabet = "ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789";
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < 20; i++) sb.append(alphabet.charAt(RANDOM.nextInt(alphabet.length())));
        return sb.toString();
    }

    /** @throws io.drover.shared.domain.DroverException bad_request when too short */
    public static void requireStrong(String password) {
        if (password == null || password.length() < MIN_LENGTH) {
            throw io.drover.shared.domain.DroverException.badRequest("the password must be at least " + MIN_LENGTH + " characters long");
        }
        if (password.length() > 1024) throw io.drover.shared.domain.DroverException.badRequest("the password must be at most 1024 characters long");
    }

    private static byte[] derive(String password, byte[] salt, int memoryKb, int iterations, int parallelism, int len) {
        Argon2Parameters params = new Argon2Parameters.Builder(Argon2Parameters.ARGON2_id)
                .withVersion(Argon2Parameters.ARGON2_VERSION_13)
                .withMemoryAsKB(memoryKb).withIterations(iterations).withParallelism(parallelism)
                .withSalt(salt).build();
        Argon2BytesGenerator g = new Argon2BytesGenerator();
        g.init(params);
        byte[] out = new byte[len];
        g.generateBytes(password.getBytes(StandardCharsets.UTF_8), out);
        return out;
    }
}

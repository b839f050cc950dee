package io.drover.queue.mongo;

import io.drover.shared.domain.Ids;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * Lease tokens: the agent gets the token once with its claim; the store keeps only its SHA-256
 * ({@code lease.tokenHash}), so reading the task document never reveals a usable token.
 */
public final class LeaseTokens {
    private LeaseTokens() {}

    public static String newToken() {
        return Ids.secret(24);
    }

    public static String hash(String token) {
        try {
            byte[] d = MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(d);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JVM", e);
        }
    }

    /** Constant-time check of a presented token against the stored hash. */
    public static boolean matches(String token, String storedHash) {
        if (token == null || storedHash == null) return false;
        return MessageDigest.isEqual(hash(token).getBytes(StandardCharsets.US_ASCII),
                storedHash.getBytes(StandardCharsets.US_ASCII));
    }
}

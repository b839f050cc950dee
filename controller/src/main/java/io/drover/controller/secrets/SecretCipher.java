package io.drover.controller.secrets;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.HexFormat;
import javax.crypto.AEADBadTagException;
import javax.crypto.Cipher;
import javax.crypto.Mac;
import javax.crypto.SecretKey;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * AES-256-GCM for secret values. Each value gets a fresh random 12-byte IV; the additional
 * authenticated data is {@code project + ":" + name}, so a ciphertext copied onto another
 * secret's document does not decrypt. {@link #keyId()} is an HMAC of a constant under the key:
 * stored next to each value, it tells "wrong key" apart from "tampered value" without storing
 * anything that helps recover the key.
 */
public final class SecretCipher {
    private static final int IV_BYTES = 12;
    private static final int TAG_BITS = 128;
    private static final SecureRandom RANDOM = new SecureRandom();

    private final SecretKey key;
    private final String keyId;

    /** Encrypted value and its IV. */
    public record Sealed(byte[] iv, byte[] ciphertext) {}

    /** A value that cannot be decrypted: wrong key or altered data; the message says which and what to do. */
    public static final class UnreadableSecret extends RuntimeException {
        UnreadableSecret(String message) {
            super(message);
        }
    }

    public SecretCipher(SecretKey key) {
        this.key = key;
        this.keyId = keyIdOf(key);
    }

    /** 16 hex chars identifying the key (not derived in a way that reveals it). */
    public String keyId() {
        return keyId;
    }

    public Sealed seal(String aad, String value) {
        byte[] iv = new byte[IV_BYTES];
        RANDOM.nextBytes(iv);
        try {
            Cipher c = Cipher.getInstance("AES/GCM/NoPadding");
            c.init(Cipher.ENCRYPT_MODE, key, new GCMParameterSpec(TAG_BITS, iv));
            c.updateAAD(aad.getBytes(StandardCharsets.UTF_8));
            return new Sealed(iv, c.doFinal(value.getBytes(StandardCharsets.UTF_8)));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES-GCM is not available in this JVM", e);
        }
    }

    /**
     * @param storedKeyId the key id saved with the value (null for unknown)
     * @throws UnreadableSecret when the value does not decrypt under this key and AAD
     */
    public String open(String aad, Sealed s, String storedKeyId) {
        try {
            Cipher c = Cipher.getInstance("AES/GCM/NoPadding");
            c.init(Cipher.DECRYPT_MODE, key, new GCMParameterSpec(TAG_BITS, s.iv()));
            c.updateAAD(aad.getBytes(StandardCharsets.UTF_8));
            return new String(c.doFinal(s.ciphertext()), StandardCharsets.UTF_8);
        } catch (AEADBadTagException | IllegalArgumentException e) {
            if (storedKeyId != null && !storedKeyId.equals(keyId)) {
                throw new UnreadableSecret("secret " + aad + " was stored with another secrets key (key id " + storedKeyId
                        + ", this controller has " + keyId + "): start the controller with the original key"
                        + " (--secrets-key-file or env DROVER_SECRETS_KEY), or set the secret again");
            }
            throw new UnreadableSecret("secret " + aad + " does not decrypt: its stored value was altered or moved from"
                    + " another secret; set it again");
        } catch (GeneralSecurityException e) {
            throw new UnreadableSecret("secret " + aad + " does not decrypt (" + e.getMessage() + "); set it again");
        }
    }

    private static String keyIdOf(SecretKey key) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key.getEncoded(), "HmacSHA256"));
            byte[] d = mac.doFinal("drover secrets key id v1".getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(ByteBuffer.wrap(d, 0, 8).array(), 0, 8);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is not available in this JVM", e);
        }
    }
}

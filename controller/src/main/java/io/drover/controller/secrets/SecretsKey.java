package io.drover.controller.secrets;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.Base64;
import javax.crypto.SecretKey;
import javax.crypto.spec.SecretKeySpec;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Where the vault's AES-256 key comes from: {@code --secrets-key-file FILE}, else env
 * {@code DROVER_SECRETS_KEY}, else {@code DATA/secrets.key}, generated (mode 0600) on first start.
 * Each holds the base64 of 32 random bytes. The key never goes into the database, so a copy of
 * the store alone does not reveal any secret.
 */
public final class SecretsKey {
    private static final Logger log = LoggerFactory.getLogger(SecretsKey.class);
    public static final String ENV = "DROVER_SECRETS_KEY";
    public static final String DEFAULT_FILE = "secrets.key";
    private static final String HOW = "the base64 of 32 random bytes (make one with: head -c 32 /dev/urandom | base64)";

    /** The key and a description of where it came from (for messages; never the key itself). */
    public record Loaded(SecretKey key, String source, boolean generated) {
        @Override
        public String toString() {
            return "SecretsKey[" + source + "]";
        }
    }

    private SecretsKey() {}

    /**
     * @param keyFile  {@code --secrets-key-file}, or null
     * @param envValue the value of {@code DROVER_SECRETS_KEY}, or null
     * @param dataDir  where {@code secrets.key} is read or generated when neither is given
     */
    public static Loaded load(Path keyFile, String envValue, Path dataDir) {
        if (keyFile != null) {
            if (!Files.isRegularFile(keyFile)) {
                throw new IllegalArgumentException("secrets key file " + keyFile + " does not exist: give the file that holds "
                        + HOW + ", or leave out --secrets-key-file to use " + dataDir.resolve(DEFAULT_FILE));
            }
            return new Loaded(decode(read(keyFile), "secrets key file " + keyFile), "file " + keyFile, false);
        }
        if (envValue != null && !envValue.isBlank()) {
            return new Loaded(decode(envValue, "env " + ENV), "env " + ENV, false);
        }
        Path f = dataDir.resolve(DEFAULT_FILE);
        if (Files.isRegularFile(f)) return new Loaded(decode(read(f), "secrets key file " + f), "file " + f, false);
        return new Loaded(generate(f), "file " + f, true);
    }

    /** A fresh random key as base64 text (for tests and {@code DROVER_SECRETS_KEY}). */
    public static String newKeyText() {
        byte[] k = new byte[32];
        new SecureRandom().nextBytes(k);
        return Base64.getEncoder().encodeToString(k);
    }

    static SecretKey decode(String text, String where) {
        byte[] raw;
        try {
            raw = Base64.getDecoder().decode(text.strip());
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(where + " is not valid base64: it must hold " + HOW);
        }
        if (raw.length != 32) {
            throw new IllegalArgumentException(where + " holds " + raw.length + " bytes, not 32: it must hold " + HOW);
        }
        return new SecretKeySpec(raw, "AES");
    }

    private static String read(Path f) {
        try {
            return Files.readString(f, StandardCharsets.US_ASCII);
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot read secrets key file " + f + ": " + e.getMessage());
        }
    }

    private static SecretKey generate(Path f) {
        String text = newKeyText();
        try {
            Files.createDirectories(f.getParent());
            try {
                Files.createFile(f, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            } catch (UnsupportedOperationException notPosix) {
                Files.createFile(f);
            }
            Files.writeString(f, text + "\n", StandardCharsets.US_ASCII);
        } catch (FileAlreadyExistsException e) {
            // another process made it between our check and create: use theirs
            return decode(read(f), "secrets key file " + f);
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot create the secrets key file " + f + ": " + e.getMessage()
                    + " (or give one with --secrets-key-file / env " + ENV + ")");
        }
        log.warn("Generated the secrets key at {}: back it up; without it secrets can't be read", f.toAbsolutePath());
        return decode(text, "secrets key file " + f);
    }
}

package io.drover.controller.install;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * The agent bundle file the controller serves, with its SHA-256 (the install script checks it).
 * The digest is computed once per version of the file (size + modification time), off the event
 * loop by the caller: a rebuilt bundle is picked up without a restart.
 */
public final class AgentBundle {
    /** The name agents download it under, whatever the file is called on the controller. */
    public static final String NAME = "drover-agent-linux-x64.tar.gz";

    /** What is served: the file and its digest. */
    public record Info(Path file, long size, String sha256) {}

    private final Path file;
    private volatile Info cached;
    private volatile long cachedMtime;

    public AgentBundle(Path file) {
        this.file = file;
    }

    public boolean configured() {
        return file != null;
    }

    /** The current bundle, or null when none is configured or the file is gone. Blocking (reads the file). */
    public Info current() throws IOException {
        if (file == null || !Files.isRegularFile(file)) return null;
        BasicFileAttributes a = Files.readAttributes(file, BasicFileAttributes.class);
        long mtime = a.lastModifiedTime().toMillis();
        Info c = cached;
        if (c != null && c.size() == a.size() && cachedMtime == mtime) return c;
        Info fresh = new Info(file, a.size(), sha256(file));
        cached = fresh;
        cachedMtime = mtime;
        return fresh;
    }

    private static String sha256(Path f) throws IOException {
        MessageDigest md;
        try {
            md = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
        byte[] buf = new byte[1 << 16];
        try (InputStream in = Files.newInputStream(f)) {
            for (int n; (n = in.read(buf)) > 0; ) md.update(buf, 0, n);
        }
        return HexFormat.of().formatHex(md.digest());
    }
}

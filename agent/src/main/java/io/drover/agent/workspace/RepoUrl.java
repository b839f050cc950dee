package io.drover.agent.workspace;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/** Repository locations as JGit wants them, and the cache key derived from them. */
public final class RepoUrl {
    private RepoUrl() {}

    /**
     * Local paths become {@code file:///abs/path} URIs (File.toURI() gives {@code file:/abs}, which
     * JGit's transport rejects); remote URLs are kept as they are.
     */
    public static String normalize(String repo) {
        String r = repo.strip();
        if (r.startsWith("file:") && !r.startsWith("file://")) {
            return "file://" + r.substring("file:".length());
        }
        if (r.startsWith("/") || r.startsWith("./") || r.startsWith("../") || r.startsWith("~/")) {
            String path = r.startsWith("~/") ? System.getProperty("user.home") + r.substring(1) : r;
            String uri = new File(path).getAbsoluteFile().toPath().normalize().toUri().toString();
            if (uri.endsWith("/")) uri = uri.substring(0, uri.length() - 1);
            return uri.startsWith("file:///") ? uri : "file://" + uri.substring("file:".length());
        }
        return r;
    }

    /** A stable directory name for a repository: 16 hex chars of sha256 over its normalized URL. */
    public static String key(String normalizedUrl) {
        try {
            byte[] d = MessageDigest.getInstance("SHA-256").digest(normalizedUrl.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(d, 0, 8);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The URL with any user:password part masked, for messages and logs. */
    public static String redact(String url) {
        return url.replaceAll("://[^/@]+@", "://***@");
    }
}

package io.drover.agent;

import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;

/** Default worker names: the host name plus 4 hex chars of the work dir, stable across restarts. */
public final class AgentNames {
    private static volatile String hostname;

    private AgentNames() {}

    public static String hostname() {
        String h = hostname;
        if (h == null) {
            try {
                h = InetAddress.getLocalHost().getHostName();
            } catch (Exception e) {
                h = System.getenv().getOrDefault("HOSTNAME", "localhost");
            }
            hostname = h;
        }
        return h;
    }

    public static String defaultName(Path workDir) {
        String host = hostname().replaceAll("[^A-Za-z0-9._-]", "-");
        if (host.isEmpty() || !Character.isLetterOrDigit(host.charAt(0))) host = "agent" + host;
        if (host.length() > 58) host = host.substring(0, 58);
        try {
            byte[] d = MessageDigest.getInstance("SHA-256").digest(workDir.toString().getBytes(StandardCharsets.UTF_8));
            return host + "-" + HexFormat.of().formatHex(d, 0, 2);
        } catch (Exception e) {
            return host + "-0000";
        }
    }
}

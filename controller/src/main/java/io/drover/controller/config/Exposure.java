package io.drover.controller.config;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * How the controller faces the network (part of {@link ControllerConfig}): the bind-safety
 * override, TLS, and the per-credential write rate limit.
 *
 * @param insecure   allow a non-loopback address with auth off ({@code --insecure}); warned about loudly
 * @param tlsCert    PEM certificate (chain) for HTTPS ({@code --tls-cert}), or null for plain HTTP
 * @param tlsKey     PEM private key of {@code tlsCert} ({@code --tls-key}, PKCS#8 or PKCS#1)
 * @param writeRate  state-changing requests per second per credential (IP when anonymous)
 * @param writeBurst how many of them may come at once
 */
public record Exposure(boolean insecure, Path tlsCert, Path tlsKey, double writeRate, int writeBurst) {
    public static final double DEFAULT_WRITE_RATE = 50;
    public static final int DEFAULT_WRITE_BURST = 200;
    public static final Exposure DEFAULT = new Exposure(false, null, null, DEFAULT_WRITE_RATE, DEFAULT_WRITE_BURST);

    public Exposure {
        if (!(writeRate > 0)) throw new IllegalArgumentException("write rate limit must be above 0 requests per second, got " + writeRate);
        if (writeBurst < 1) throw new IllegalArgumentException("write burst must be at least 1, got " + writeBurst);
    }

    public boolean tlsEnabled() {
        return tlsCert != null && tlsKey != null;
    }

    /** The rules between fields and the files: both TLS files or none, and readable. */
    void validate() {
        if ((tlsCert == null) != (tlsKey == null)) {
            throw new IllegalArgumentException(tlsCert == null
                    ? "--tls-key was given without --tls-cert: pass both the PEM certificate and its private key for HTTPS, or neither for plain HTTP"
                    : "--tls-cert was given without --tls-key: pass both the PEM certificate and its private key for HTTPS, or neither for plain HTTP");
        }
        if (tlsCert != null) {
            readable(tlsCert, "--tls-cert");
            readable(tlsKey, "--tls-key");
        }
    }

    private static void readable(Path p, String flag) {
        if (!Files.isRegularFile(p) || !Files.isReadable(p)) {
            throw new IllegalArgumentException(flag + " " + p.toAbsolutePath() + " is not a readable file: give the path of a PEM file");
        }
    }

    /** {@code DROVER_INSECURE=true}, {@code DROVER_TLS_CERT}, {@code DROVER_TLS_KEY}, {@code DROVER_WRITE_RATE}, {@code DROVER_WRITE_BURST}. */
    static Exposure fromEnv(Map<String, String> env) {
        return new Exposure(Boolean.parseBoolean(env.getOrDefault("DROVER_INSECURE", "false").trim()),
                path(env.get("DROVER_TLS_CERT")), path(env.get("DROVER_TLS_KEY")),
                number(env, "DROVER_WRITE_RATE", DEFAULT_WRITE_RATE),
                (int) number(env, "DROVER_WRITE_BURST", DEFAULT_WRITE_BURST));
    }

    public Exposure withInsecure(boolean v) { return new Exposure(v, tlsCert, tlsKey, writeRate, writeBurst); }
    public Exposure withTls(Path cert, Path key) { return new Exposure(insecure, cert, key, writeRate, writeBurst); }
    public Exposure withWriteLimit(double rate, int burst) { return new Exposure(insecure, tlsCert, tlsKey, rate, burst); }

    String describe() {
        return "tls=" + (tlsEnabled() ? "on" : "off") + (insecure ? " insecure=true" : "")
                + " writeRate=" + writeRate + "/s burst=" + writeBurst;
    }

    private static Path path(String v) {
        return v == null || v.isBlank() ? null : Path.of(v.trim());
    }

    private static double number(Map<String, String> env, String key, double def) {
        String v = env.get(key);
        if (v == null || v.isBlank()) return def;
        try {
            return Double.parseDouble(v.trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(key + "='" + v + "' is not a number");
        }
    }
}

package io.drover.agent.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.drover.shared.domain.DroverException;
import io.drover.shared.domain.ErrorCode;
import io.drover.shared.json.Json;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * Where the client finds its controller: {@code --controller}, else {@code DROVER_CONTROLLER},
 * else the {@code "controller"} key of {@code $DROVER_HOME/config.json} (default
 * {@code ~/.drover/config.json}, written by {@code drover up}), else {@value #DEFAULT_CONTROLLER}.
 * The API key follows the same order ({@code --api-key}, {@code DROVER_API_KEY}, {@code "apiKey"}).
 *
 * <p>Public so that the agent daemon resolves its controller the same way.
 */
public final class ClientConfig {
    public static final String DEFAULT_CONTROLLER = "http://127.0.0.1:8080";
    public static final String ENV_HOME = "DROVER_HOME";
    public static final String ENV_CONTROLLER = "DROVER_CONTROLLER";
    public static final String ENV_API_KEY = "DROVER_API_KEY";

    /** A resolved setting and where it came from, so error messages can name the source. */
    public record Resolved(String value, String source) {}

    private ClientConfig() {}

    /** {@code $DROVER_HOME}, else {@code ~/.drover}. */
    public static Path home(Map<String, String> env) {
        String h = env.get(ENV_HOME);
        if (h != null && !h.isBlank()) return Path.of(h);
        return Path.of(System.getProperty("user.home"), ".drover");
    }

    public static Path configFile(Map<String, String> env) {
        return home(env).resolve("config.json");
    }

    /** The controller URL (without a trailing slash), validated. */
    public static Resolved controller(String flag, Map<String, String> env) {
        Resolved r = pick(flag, "--controller", env, ENV_CONTROLLER, "controller");
        if (r == null) r = new Resolved(DEFAULT_CONTROLLER, "default");
        return new Resolved(validateUrl(r.value().strip(), r.source()), r.source());
    }

    /** The API key, or null when none is configured anywhere. */
    public static String apiKey(String flag, Map<String, String> env) {
        Resolved r = pick(flag, "--api-key", env, ENV_API_KEY, "apiKey");
        return r == null ? null : r.value();
    }

    private static Resolved pick(String flag, String flagName, Map<String, String> env, String envName, String key) {
        if (flag != null && !flag.isBlank()) return new Resolved(flag, flagName);
        String e = env.get(envName);
        if (e != null && !e.isBlank()) return new Resolved(e, envName);
        Path file = configFile(env);
        String v = readKey(file, key);
        return v == null ? null : new Resolved(v, file.toString());
    }

    private static String readKey(Path file, String key) {
        if (!Files.isRegularFile(file)) return null;
        JsonNode root;
        try {
            root = Json.parse(Files.readString(file));
        } catch (IOException | IllegalArgumentException e) {
            throw new DroverException(ErrorCode.BAD_REQUEST, "cannot read " + file + ": " + e.getMessage()
                    + "; fix the file or delete it ('drover up' writes a new one)");
        }
        JsonNode v = root.path(key);
        return v.isTextual() && !v.asText().isBlank() ? v.asText() : null;
    }

    private static String validateUrl(String url, String source) {
        String u = url.endsWith("/") ? url.substring(0, url.length() - 1) : url;
        try {
            URI uri = URI.create(u);
            if (("http".equals(uri.getScheme()) || "https".equals(uri.getScheme())) && uri.getHost() != null) {
                return u;
            }
        } catch (IllegalArgumentException ignored) {
            // fall through to the message below
        }
        throw new DroverException(ErrorCode.BAD_REQUEST, "controller URL '" + url + "' (from " + source
                + ") is not an http:// or https:// URL with a host; use e.g. http://127.0.0.1:8080");
    }
}

package io.drover.agent.config;

import io.drover.shared.client.ControllerNodes;
import io.drover.shared.domain.DroverException;
import io.drover.shared.domain.ErrorCode;
import java.nio.file.Path;
import java.util.Map;

/**
 * Where the CLI and the agent daemon find their controller and credentials — the one place both
 * resolve them, always in the order flag, environment, config file, default:
 * <ul>
 *   <li>controller URL: {@code --controller}, {@code DROVER_CONTROLLER}, {@code "controller"} in
 *       {@code $DROVER_HOME/config.json} (default {@code ~/.drover/config.json}), {@value #DEFAULT_CONTROLLER};
 *       each may list several controllers, comma-separated, which the client fails over between;</li>
 *   <li>API key of the CLI: {@code --api-key}, {@code DROVER_API_KEY}, {@code "apiKey"};</li>
 *   <li>key of {@code drover agent}: {@code --api-key}, {@code DROVER_API_KEY}, {@code "agentKey"}
 *       (the worker key {@code drover up} writes), then {@code "apiKey"}.</li>
 * </ul>
 * The environment is passed in so that tests never read or write the real one.
 */
public final class ClientConfig {
    public static final String DEFAULT_CONTROLLER = "http://127.0.0.1:8080";
    public static final String ENV_HOME = "DROVER_HOME";
    public static final String ENV_CONTROLLER = "DROVER_CONTROLLER";
    public static final String ENV_API_KEY = "DROVER_API_KEY";
    /** Keys of config.json. */
    public static final String KEY_CONTROLLER = "controller";
    public static final String KEY_API = "apiKey";
    public static final String KEY_AGENT = "agentKey";

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

    /** The controller URL (without a trailing slash), or several comma-separated, validated. */
    public static Resolved controller(String flag, Map<String, String> env) {
        Resolved r = pick(flag, "--controller", env, ENV_CONTROLLER, KEY_CONTROLLER);
        if (r == null) r = new Resolved(DEFAULT_CONTROLLER, "default");
        return new Resolved(validateUrl(r.value().strip(), r.source()), r.source());
    }

    /** The CLI's API key, or null when none is configured anywhere. */
    public static String apiKey(String flag, Map<String, String> env) {
        Resolved r = pick(flag, "--api-key", env, ENV_API_KEY, KEY_API);
        return r == null ? null : r.value();
    }

    /** The agent daemon's key: like {@link #apiKey} but the config file's worker key first. */
    public static String agentKey(String flag, Map<String, String> env) {
        Resolved r = pick(flag, "--api-key", env, ENV_API_KEY, KEY_AGENT);
        if (r == null) r = pick(null, "--api-key", env, ENV_API_KEY, KEY_API);
        return r == null ? null : r.value();
    }

    private static Resolved pick(String flag, String flagName, Map<String, String> env, String envName, String key) {
        if (flag != null && !flag.isBlank()) return new Resolved(flag.strip(), flagName);
        String e = env.get(envName);
        if (e != null && !e.isBlank()) return new Resolved(e.strip(), envName);
        Path file = configFile(env);
        String v = ConfigFile.read(file).path(key).asText("");
        return v.isBlank() ? null : new Resolved(v.strip(), file.toString());
    }

    /** The URL, or several comma-separated (failover), normalized: blanks and trailing slashes gone. */
    private static String validateUrl(String url, String source) {
        try {
            return ControllerNodes.parse(url).toString();
        } catch (IllegalArgumentException e) {
            throw new DroverException(ErrorCode.BAD_REQUEST, e.getMessage() + " (from " + source + ")");
        }
    }
}

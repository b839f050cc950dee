package io.drover.agent;

import com.fasterxml.jackson.databind.JsonNode;
import io.drover.shared.json.Json;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Where the controller is: the flag, else {@code DROVER_CONTROLLER}, else the "controller" key of
 * {@code $DROVER_HOME/config.json} (default {@code ~/.drover/config.json}, written by
 * {@code drover up}), else {@value #DEFAULT} — the same order the CLI uses.
 */
public final class ControllerLocation {
    public static final String DEFAULT = "http://127.0.0.1:8080";

    private ControllerLocation() {}

    /** {@code $DROVER_HOME}, else {@code ~/.drover}. */
    public static Path home() {
        String h = System.getenv("DROVER_HOME");
        return h != null && !h.isBlank() ? Path.of(h) : Path.of(System.getProperty("user.home"), ".drover");
    }

    /** The URL to use. */
    public static String resolve(String flag) {
        if (flag != null && !flag.isBlank()) return flag.strip();
        String env = System.getenv("DROVER_CONTROLLER");
        if (env != null && !env.isBlank()) return env.strip();
        Path file = home().resolve("config.json");
        try {
            if (Files.isRegularFile(file)) {
                JsonNode n = Json.parse(Files.readString(file));
                String c = n.path("controller").asText("");
                if (!c.isBlank()) return c.strip();
            }
        } catch (Exception e) {
            throw new IllegalArgumentException("cannot read " + file + ": " + e.getMessage()
                    + "; fix or delete it, or pass --controller URL");
        }
        return DEFAULT;
    }
}

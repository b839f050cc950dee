package io.drover.agent;

import com.fasterxml.jackson.databind.JsonNode;
import io.drover.shared.json.Json;
import java.nio.file.Files;
import java.nio.file.Path;

/** Where the controller is: the flag, else {@code DROVER_CONTROLLER}, else {@code ~/.drover/config.json}. */
public final class ControllerLocation {
    private ControllerLocation() {}

    /** The URL, or null when none of the three sources names one. */
    public static String resolve(String flag) {
        if (flag != null && !flag.isBlank()) return flag.strip();
        String env = System.getenv("DROVER_CONTROLLER");
        if (env != null && !env.isBlank()) return env.strip();
        Path file = Path.of(System.getProperty("user.home"), ".drover", "config.json");
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
        return null;
    }
}

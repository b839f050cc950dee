package io.drover.agent.capture;

import com.fasterxml.jackson.databind.JsonNode;
import io.drover.shared.json.Json;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/** Reads the argument set that {@code sitecustomize.py} wrote to {@code $DROVER_CAPTURE_FILE}. */
public final class CapturedParams {
    private CapturedParams() {}

    /** The captured {@code dest → value} map, empty when the script did not use argparse. */
    public static Map<String, String> read(Path file) {
        Map<String, String> out = new LinkedHashMap<>();
        try {
            if (!Files.exists(file)) return out;
            JsonNode n = Json.parse(Files.readString(file));
            for (Map.Entry<String, JsonNode> e : n.properties()) {
                out.put(e.getKey(), e.getValue().isTextual() ? e.getValue().asText() : e.getValue().toString());
            }
        } catch (IOException | IllegalArgumentException e) {
            // a torn or foreign file: report nothing rather than fail the task
        }
        return out;
    }
}

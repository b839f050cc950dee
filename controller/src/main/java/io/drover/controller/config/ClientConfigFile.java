package io.drover.controller.config;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.drover.shared.json.Json;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;

/**
 * The client-side config file ({@code $DROVER_HOME/config.json}, default {@code ~/.drover/config.json})
 * that tells the CLI and agents where the controller is. {@code drover up} writes it so that the
 * next {@code drover submit} finds the controller without flags.
 */
public final class ClientConfigFile {
    private ClientConfigFile() {}

    public static Path location(Map<String, String> env) {
        String home = env.get("DROVER_HOME");
        Path dir = home != null && !home.isBlank() ? Path.of(home) : Path.of(System.getProperty("user.home"), ".drover");
        return dir.resolve("config.json");
    }

    /** Sets {@code "controller": url}, keeping every other key; the file is private to the user (0600). */
    public static void writeController(Path file, String url) throws IOException {
        write(file, Map.of("controller", url));
    }

    /**
     * Sets these keys (e.g. {@code apiKey}, {@code agentKey} after the first start), keeping every
     * other key; the file is private to the user (0600) from the moment it exists.
     */
    public static void write(Path file, Map<String, String> values) throws IOException {
        ObjectNode root = Json.object();
        if (Files.exists(file)) {
            JsonNode existing;
            try {
                existing = Json.parse(Files.readString(file));
            } catch (IllegalArgumentException e) {
                throw new IOException(file + " is not valid JSON (" + e.getMessage() + "); fix or delete it", e);
            }
            if (existing instanceof ObjectNode o) root = o;
        }
        values.forEach(root::put);
        Path dir = file.toAbsolutePath().getParent();
        if (!Files.isDirectory(dir)) {
            // the folder holds API keys: private from its creation (an existing folder is left as the user set it)
            Files.createDirectories(dir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        }
        // Write next to it and move, so a reader never sees half a file.
        Path tmp = Files.createTempFile(dir, "config", ".tmp");
        try {
            setPrivate(tmp);
            Files.writeString(tmp, Json.pretty(root) + "\n");
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } finally {
            Files.deleteIfExists(tmp);
        }
        setPrivate(file);
    }

    private static void setPrivate(Path p) throws IOException {
        try {
            Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rw-------"));
        } catch (UnsupportedOperationException ignored) {
            // not a POSIX file system (Windows): the user's profile directory is private already
        }
    }
}

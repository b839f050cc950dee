package io.drover.agent.config;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.drover.shared.domain.DroverException;
import io.drover.shared.domain.ErrorCode;
import io.drover.shared.json.Json;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.function.Consumer;

/**
 * Reads and rewrites {@code $DROVER_HOME/config.json}. It holds API keys, so a new version is
 * created readable by its owner only (0600) from its first byte — never written first and
 * chmod-ed after — and moved over the old one, so a reader never sees half a file.
 */
public final class ConfigFile {
    private static final boolean POSIX = FileSystems.getDefault().supportedFileAttributeViews().contains("posix");

    private ConfigFile() {}

    /** The file's object, or an empty one when there is no file. */
    public static ObjectNode read(Path file) {
        if (!Files.isRegularFile(file)) return Json.object();
        try {
            JsonNode n = Json.parse(Files.readString(file));
            if (n instanceof ObjectNode o) return o;
            throw new IllegalArgumentException("not a JSON object");
        } catch (IOException | IllegalArgumentException e) {
            throw new DroverException(ErrorCode.BAD_REQUEST, "cannot read " + file + ": " + e.getMessage()
                    + "; fix the file or delete it ('drover up' or 'drover login' writes a new one)");
        }
    }

    /** Applies {@code change} to the current content and writes the result (0600). */
    public static void update(Path file, Consumer<ObjectNode> change) {
        ObjectNode root = read(file);
        change.accept(root);
        Path dir = file.toAbsolutePath().getParent();
        try {
            if (!Files.isDirectory(dir)) {
                if (POSIX) Files.createDirectories(dir, perms("rwx------"));
                else Files.createDirectories(dir);
            }
            Path tmp = dir.resolve("." + file.getFileName() + "." + ProcessHandle.current().pid() + ".tmp");
            Files.deleteIfExists(tmp);
            if (POSIX) Files.createFile(tmp, perms("rw-------"));
            else Files.createFile(tmp); // Windows: the user's profile directory is private already
            try {
                Files.writeString(tmp, Json.pretty(root) + "\n", StandardCharsets.UTF_8, StandardOpenOption.TRUNCATE_EXISTING);
                Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            } finally {
                Files.deleteIfExists(tmp);
            }
        } catch (IOException e) {
            throw new DroverException(ErrorCode.INTERNAL, "cannot write " + file + " (" + e + "): check the permissions of "
                    + dir + ", or point DROVER_HOME at a directory you can write");
        }
    }

    private static FileAttribute<?> perms(String p) {
        return PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString(p));
    }
}

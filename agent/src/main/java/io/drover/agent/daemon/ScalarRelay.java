package io.drover.agent.daemon;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.drover.shared.domain.DroverException;
import io.drover.shared.domain.ErrorCode;
import io.drover.shared.json.Json;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.function.Consumer;
import java.util.stream.Stream;

/**
 * Forwards the Python client's scalar batches to the controller. The task process holds no API
 * key (only the agent's worker key passes the lease routes), so inside an agent run the client
 * writes each batch as {@code $DROVER_SCALARS_DIR/NNNNNNNNNN.json} (atomically renamed into place)
 * and the agent posts it with its lease; the file number is the batch number, so a retried
 * post is not stored twice. Plots and text reports come the same way as
 * {@code NNNNNNNNNN.plots.json} / {@code NNNNNNNNNN.texts.json}, posted in number order to the
 * lease routes {@code /plots} and {@code /texts} (not idempotent: a post retried after a lost
 * reply may store a record twice). Debug images come as {@code NNNNNNNNNN.image.json}
 * ({@code {"metric","variant","iter","contentType","file"}}) next to their bytes (the {@code file},
 * written first), PUT raw to {@code /images} with the epoch; both files are removed once sent.
 *
 * <p>While the controller or its store is unavailable the files simply stay: they are the spool
 * for scalars, plots and images, delivered in order on a later round. That spool is bounded like
 * the log spool ({@code --spool-max-mb}): past it the oldest files go, and a console line says so.
 */
final class ScalarRelay {
    private final Path dir;
    private final Consumer<String> console;
    private final long maxBytes;
    private boolean warned;
    /** The last round stopped at a transient failure: files wait for the controller. */
    private boolean waiting;

    ScalarRelay(Path dir, Consumer<String> console, long maxBytes) {
        this.dir = dir;
        this.console = console;
        this.maxBytes = maxBytes;
    }

    Path dir() {
        return dir;
    }

    /**
     * Posts every complete batch file in order; a batch the controller refuses is dropped and said
     * once. Returns whether everything was delivered (false: the controller is unavailable, the
     * files wait for the next round).
     */
    boolean forward(LeaseApi lease) {
        waiting = false;
        forwardScalars(lease);
        forwardRecords(lease);
        forwardImages(lease);
        if (waiting) keepWithinBound();
        return !waiting;
    }

    /** While files wait, the oldest go once they take more than the spool's bound: the task must not fill the disk. */
    private void keepWithinBound() {
        List<Path> files;
        try (Stream<Path> s = Files.list(dir)) {
            files = s.filter(Files::isRegularFile).sorted().toList();
        } catch (IOException e) {
            return;
        }
        long total = 0;
        for (Path f : files) total += sizeOf(f);
        int dropped = 0;
        for (Path f : files) {
            if (total <= maxBytes) break;
            String n = f.getFileName().toString();
            if (!n.matches("\\d{1,18}\\..*") || n.endsWith(".tmp")) continue; // complete files only: a .tmp is being written
            total -= sizeOf(f);
            deleteQuietly(f);
            dropped++;
        }
        if (dropped > 0) {
            console.accept("[drover] " + dropped + " scalar/plot/image files dropped: they took more than the spool's "
                    + (maxBytes >> 20) + " MiB (--spool-max-mb) while the controller was unreachable");
        }
    }

    private static long sizeOf(Path f) {
        try {
            return Files.size(f);
        } catch (IOException e) {
            return 0;
        }
    }

    private void forwardScalars(LeaseApi lease) {
        List<Path> files;
        try (Stream<Path> s = Files.list(dir)) {
            files = s.filter(p -> p.getFileName().toString().matches("\\d{1,18}\\.json")).sorted().toList();
        } catch (IOException e) {
            return; // no batches yet
        }
        for (Path f : files) {
            String name = f.getFileName().toString();
            long batch = Long.parseLong(name.substring(0, name.length() - 5));
            try {
                JsonNode body = Json.parse(Files.readString(f));
                if (body instanceof ObjectNode o) lease.scalars(batch, o);
                Files.deleteIfExists(f);
            } catch (LeaseLostException e) {
                return; // the log shipper sees it too and the run is abandoned
            } catch (DroverException e) {
                if (LeaseApi.isTransient(e)) {
                    waiting = true;
                    return; // try again on the next round
                }
                say("[drover] scalar batch " + batch + " refused by the controller, dropped: " + e.getMessage());
                deleteQuietly(f);
            } catch (IOException | IllegalArgumentException e) {
                say("[drover] unreadable scalar batch " + name + " dropped: " + e.getMessage());
                deleteQuietly(f);
            }
        }
    }

    /** Posts every complete plot/text file in order; refused ones are dropped and said once. */
    private void forwardRecords(LeaseApi lease) {
        List<Path> files;
        try (Stream<Path> s = Files.list(dir)) {
            files = s.filter(p -> RECORD.matcher(p.getFileName().toString()).matches()).sorted().toList();
        } catch (IOException e) {
            return;
        }
        for (Path f : files) {
            String name = f.getFileName().toString();
            java.util.regex.Matcher m = RECORD.matcher(name);
            if (!m.matches()) continue;
            try {
                JsonNode body = Json.parse(Files.readString(f));
                if (body instanceof ObjectNode o) lease.record(m.group(2), o);
                Files.deleteIfExists(f);
            } catch (LeaseLostException e) {
                return;
            } catch (DroverException e) {
                if (LeaseApi.isTransient(e)) {
                    waiting = true;
                    return; // try again on the next round
                }
                say("[drover] " + m.group(2) + " record " + name + " refused by the controller, dropped: " + e.getMessage());
                deleteQuietly(f);
            } catch (IOException | IllegalArgumentException e) {
                say("[drover] unreadable " + m.group(2) + " record " + name + " dropped: " + e.getMessage());
                deleteQuietly(f);
            }
        }
    }

    /** Posts every complete image (its JSON names the bytes file) in order; refused ones are dropped and said once. */
    private void forwardImages(LeaseApi lease) {
        List<Path> files;
        try (Stream<Path> s = Files.list(dir)) {
            files = s.filter(p -> IMAGE.matcher(p.getFileName().toString()).matches()).sorted().toList();
        } catch (IOException e) {
            return;
        }
        for (Path f : files) {
            String name = f.getFileName().toString();
            Path data = null;
            try {
                JsonNode meta = Json.parse(Files.readString(f));
                String file = meta.path("file").asText("");
                // the bytes file sits next to its JSON and is named after it: nothing else may be sent
                if (!file.startsWith(name.substring(0, name.length() - ".json".length()) + ".") || file.contains("/") || file.contains("\\")) {
                    throw new IllegalArgumentException("its 'file' is not the image next to it: '" + file + "'");
                }
                data = dir.resolve(file);
                if (!Files.isRegularFile(data)) throw new IllegalArgumentException("its bytes file " + file + " is missing");
                lease.image(meta.path("metric").asText(), meta.path("variant").asText(""), meta.path("iter").asLong(0), data,
                        meta.path("contentType").asText("application/octet-stream"));
                Files.deleteIfExists(f);
                Files.deleteIfExists(data);
            } catch (LeaseLostException e) {
                return;
            } catch (DroverException e) {
                if (LeaseApi.isTransient(e) || e.code() == ErrorCode.INSUFFICIENT_STORAGE) {
                    waiting = true;
                    return; // try again on the next round
                }
                say("[drover] image " + name + " refused by the controller, dropped: " + e.getMessage());
                deleteQuietly(f);
                if (data != null) deleteQuietly(data);
            } catch (IOException | IllegalArgumentException e) {
                say("[drover] unreadable image " + name + " dropped: " + e.getMessage());
                deleteQuietly(f);
                if (data != null) deleteQuietly(data);
            }
        }
    }

    private static final java.util.regex.Pattern IMAGE = java.util.regex.Pattern.compile("\\d{1,18}\\.image\\.json");

    private static final java.util.regex.Pattern RECORD = java.util.regex.Pattern.compile("(\\d{1,18})\\.(plots|texts)\\.json");

    private void say(String line) {
        if (!warned) console.accept(line);
        warned = true;
    }

    private static void deleteQuietly(Path f) {
        try {
            Files.deleteIfExists(f);
        } catch (IOException ignored) {
            // the task dir is removed at the end anyway
        }
    }
}

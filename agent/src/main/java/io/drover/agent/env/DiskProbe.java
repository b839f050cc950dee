package io.drover.agent.env;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Free disk space where the cache lives; tests hand in their own to play a full disk. */
@FunctionalInterface
public interface DiskProbe {
    long freeBytes(Path dir) throws IOException;

    static DiskProbe fileStore() {
        return dir -> Files.getFileStore(dir).getUsableSpace();
    }
}

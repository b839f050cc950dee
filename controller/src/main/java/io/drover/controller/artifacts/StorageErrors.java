package io.drover.controller.artifacts;

import io.drover.shared.domain.DroverException;
import io.drover.shared.domain.ErrorCode;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;

/** Turns file-system failures into errors a user can act on. */
final class StorageErrors {
    /** What every "disk full" answer tells the operator to do. */
    static final String WHAT_TO_DO = "free disk space on it or point --data at a larger disk, then upload again";

    private StorageErrors() {}

    static Throwable map(Throwable t, String taskId, String name) {
        return map(t, taskId, name, null);
    }

    /** @param volume the artifact directory, named in the disk-full message (null: not named) */
    static Throwable map(Throwable t, String taskId, String name, Path volume) {
        if (t instanceof DroverException) return t;
        for (Throwable c = t; c != null; c = c.getCause()) {
            String m = String.valueOf(c.getMessage());
            if (m.contains("No space left") || m.contains("Disk quota exceeded")) {
                return storageFull("artifact '" + name + "' of task " + taskId + " was not stored: no free space left on the artifact volume"
                        + (volume == null ? "" : " (" + volume + ")") + " of the controller; " + WHAT_TO_DO);
            }
            if (c instanceof NotDirectoryException || c instanceof FileAlreadyExistsException
                    || m.contains("Not a directory") || m.contains("Is a directory")) {
                return DroverException.conflict("artifact name '" + name + "' clashes with another artifact of task " + taskId
                        + ": one name is a folder of the other (e.g. 'a' and 'a/b'); choose another name");
            }
            if (c instanceof NoSuchFileException) {
                return DroverException.notFound("artifact", name);
            }
        }
        return t;
    }

    /** 507 insufficient_storage (docs/API.md). */
    static DroverException storageFull(String message) {
        return new DroverException(ErrorCode.INSUFFICIENT_STORAGE, message);
    }
}

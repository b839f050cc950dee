package io.drover.controller.artifacts;

import io.drover.shared.domain.DroverException;
import io.drover.shared.domain.ErrorCode;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;

/** Turns file-system failures into errors a user can act on. */
final class StorageErrors {
    private StorageErrors() {}

    static Throwable map(Throwable t, String taskId, String name) {
        if (t instanceof DroverException) return t;
        for (Throwable c = t; c != null; c = c.getCause()) {
            String m = String.valueOf(c.getMessage());
            if (m.contains("No space left") || m.contains("Disk quota exceeded")) {
                return new DroverException(ErrorCode.INSUFFICIENT_STORAGE, "no space left for artifact '" + name + "' of task "
                        + taskId + ": the controller's artifact storage is full; free disk space (or move the data directory) and upload again");
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
}

package io.drover.agent.env;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * A manager's input files (pyproject.toml + lock, environment.yml) copied into the environment's
 * own {@code .drover-project} folder: the build reads the copy, so the cached environment does
 * not depend on (or write into) one slot's checkout, and it shows what it was built from.
 */
final class ProjectFiles {
    static final String DIR = ".drover-project";

    private ProjectFiles() {}

    static Path copy(EnvironmentSpec spec, Path envDir) throws EnvBuildException {
        Path project = envDir.resolve(DIR);
        try {
            Files.createDirectories(project);
            for (Map.Entry<String, String> f : spec.files().entrySet()) {
                Files.writeString(project.resolve(f.getKey()), f.getValue());
            }
        } catch (IOException e) {
            throw new EnvBuildException("cannot copy the project files into " + project + ": " + e.getMessage(), e);
        }
        return project;
    }
}

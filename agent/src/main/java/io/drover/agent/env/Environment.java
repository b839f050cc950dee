package io.drover.agent.env;

import java.nio.file.Path;
import java.util.List;

/** A ready environment: where it lives, its interpreter, and what it holds (for the task's record). */
public record Environment(Path dir, Path python, String pythonVersion, List<String> installedPackages,
        boolean cacheHit) {
    public Environment {
        installedPackages = List.copyOf(installedPackages);
    }
}

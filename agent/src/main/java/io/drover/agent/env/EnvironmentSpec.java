package io.drover.agent.env;

import java.util.Map;
import java.util.TreeMap;

/**
 * What a task asks of its environment.
 *
 * @param requirements     pip requirement lines (a requirements file, or a pyproject's dependencies); null: none
 * @param requirementsName where they came from, for messages
 * @param files            input files a manager reads as they are (pyproject.toml, poetry.lock,
 *                         environment.yml, uv.lock), name → content; copied into the build
 * @param python           the Python version the task asks for ("3.11"), null: the agent's
 * @param image            Docker image the environment is built for (null: the host); part of the key
 * @param cudaVersion      the machine's CUDA version (null: none); part of the key (wheels differ)
 */
public record EnvironmentSpec(String requirements, String requirementsName, Map<String, String> files,
        String python, String image, String cudaVersion) {
    public EnvironmentSpec {
        files = files == null ? Map.of() : Map.copyOf(files);
        if (python != null && python.isBlank()) python = null;
        if (image != null && image.isBlank()) image = null;
        if (cudaVersion != null && cudaVersion.isBlank()) cudaVersion = null;
    }

    public EnvironmentSpec(String requirements, String requirementsName) {
        this(requirements, requirementsName, Map.of(), null, null, null);
    }

    public static EnvironmentSpec none() {
        return new EnvironmentSpec(null, null);
    }

    public boolean hasRequirements() {
        return requirements != null && !requirements.isBlank();
    }

    public EnvironmentSpec withPython(String version) {
        return new EnvironmentSpec(requirements, requirementsName, files, version, image, cudaVersion);
    }

    public EnvironmentSpec withImage(String img) {
        return new EnvironmentSpec(requirements, requirementsName, files, python, img, cudaVersion);
    }

    public EnvironmentSpec withCudaVersion(String cuda) {
        return new EnvironmentSpec(requirements, requirementsName, files, python, image, cuda);
    }

    /** Everything in the inputs that changes the result, in a stable order (hashed into the key). */
    String content() {
        StringBuilder b = new StringBuilder(requirements == null ? "" : requirements);
        for (Map.Entry<String, String> f : new TreeMap<>(files).entrySet()) {
            b.append('\0').append(f.getKey()).append('\0').append(f.getValue());
        }
        return b.toString();
    }
}

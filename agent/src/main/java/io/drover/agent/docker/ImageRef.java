package io.drover.agent.docker;

import java.util.List;

/** A local image: the name the task gave, its content id (part of the environment cache key) and its environment. */
public record ImageRef(String name, String id, List<String> env) {
    static final String DEFAULT_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

    public ImageRef {
        env = env == null ? List.of() : List.copyOf(env);
    }

    /** The image's own PATH (the task's venv goes in front of it). */
    public String path() {
        return env.stream().filter(e -> e.startsWith("PATH=")).map(e -> e.substring(5)).findFirst().orElse(DEFAULT_PATH);
    }
}

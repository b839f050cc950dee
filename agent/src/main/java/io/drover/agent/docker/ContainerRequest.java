package io.drover.agent.docker;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;

/**
 * What a task asks of Docker: its {@code container} field ({@code {"image", "args", "pullPolicy"}}),
 * or the agent's default image when the task names none.
 */
public record ContainerRequest(String image, List<String> args, PullPolicy pullPolicy) {
    public ContainerRequest {
        args = List.copyOf(args);
    }

    /** The request for {@code task}; null when it runs as a plain process (no image, no default). */
    public static ContainerRequest of(JsonNode task, String defaultImage) {
        JsonNode c = task == null ? null : task.get("container");
        boolean named = c != null && c.isObject();
        String image = named ? c.path("image").asText("").strip() : "";
        if (image.isEmpty()) image = defaultImage == null ? "" : defaultImage.strip();
        if (image.isEmpty()) {
            if (named && c.path("args").size() > 0) {
                throw new IllegalArgumentException("the task has container args but no container.image, and this agent has"
                        + " no default image: name one with --docker IMAGE or start the agent with --docker-image");
            }
            return null;
        }
        List<String> args = new ArrayList<>();
        if (named && c.has("args") && !c.get("args").isNull()) {
            if (!c.get("args").isArray()) throw new IllegalArgumentException("container.args must be a list of strings");
            c.get("args").forEach(a -> args.add(a.asText()));
        }
        return new ContainerRequest(image, args, PullPolicy.parse(named ? c.path("pullPolicy").asText(null) : null));
    }
}

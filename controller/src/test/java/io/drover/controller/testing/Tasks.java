package io.drover.controller.testing;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.drover.shared.json.Json;

/** Request bodies for tests. */
public final class Tasks {
    private Tasks() {}

    public static ObjectNode task(String name) {
        ObjectNode t = Json.object().put("name", name);
        t.putObject("script").put("repo", "/tmp/repo").put("entryPoint", "train.py").put("args", "--epochs 3");
        return t;
    }
}

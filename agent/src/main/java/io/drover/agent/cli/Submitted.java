package io.drover.agent.cli;

import com.fasterxml.jackson.databind.JsonNode;

/** What submit and clone print once the task exists, and the optional wait for its end. */
final class Submitted {
    private Submitted() {}

    /**
     * Prints a human line, then (with {@code wait}) the task's output as it arrives, and the task
     * id as the last line of stdout in every case, so {@code tail -1} always yields it.
     */
    static int report(ClientCommand cmd, JsonNode task, boolean wait) {
        String id = task.path("id").asText();
        String queue = task.path("queue").asText("default");
        cmd.out().println("Submitted task '" + task.path("name").asText() + "' (" + task.path("status").asText()
                + " on queue '" + queue + "', project '" + task.path("project").asText("default") + "')"
                + (wait ? "; streaming its output:" : "; follow it with: drover logs --follow " + id));
        cmd.out().flush();
        int code = ExitCodes.OK;
        if (wait) code = new TaskFollower(cmd.client(), cmd.out(), cmd.err()).followToEnd(id, true);
        cmd.out().println(id);
        return code;
    }
}

package io.drover.agent.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.drover.agent.cli.format.Times;
import io.drover.shared.json.Json;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** {@code drover comment}: add a comment to a task, or list its comments when no text is given. */
@Command(name = "comment", mixinStandardHelpOptions = true, description = "Comment on a task (without TEXT: list its comments).")
final class CommentCommand extends ClientCommand {
    @Parameters(index = "0", paramLabel = "TASK", description = "Task id (or a unique prefix).")
    String task;

    @Parameters(index = "1", arity = "0..1", paramLabel = "TEXT", description = "The comment (quote it); at most 16 KiB.")
    String text;

    @Override
    public Integer call() {
        String id = taskId(task);
        if (text == null) {
            for (JsonNode c : client().get(V1 + "/tasks/" + id + "/comments").path("items")) {
                out().println(Times.local(c.path("at")) + "  " + c.path("author").asText());
                out().println("  " + c.path("text").asText().replace("\n", "\n  "));
            }
        } else {
            if (text.isBlank()) throw usage("the comment text is empty; give it in quotes, e.g. drover comment " + task + " \"looks overfit\"");
            client().post(V1 + "/tasks/" + id + "/comments", Json.object().put("text", text)).orElseThrow();
            out().println("Commented on task " + id + ".");
        }
        out().flush();
        return ExitCodes.OK;
    }
}

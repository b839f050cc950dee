package io.drover.agent.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code drover logs}: a task's console output (stdout lines to stdout, stderr lines to stderr). */
@Command(name = "logs", mixinStandardHelpOptions = true, description = "Print a task's console output.")
final class LogsCommand extends ClientCommand {
    @Parameters(index = "0", paramLabel = "TASK", description = "Task id (or a unique prefix).")
    String task;

    @Option(names = {"-f", "--follow"}, description = "Keep printing new lines until the task finishes.")
    boolean follow;

    @Override
    public Integer call() {
        String id = taskId(task);
        TaskFollower f = new TaskFollower(client(), out(), err());
        if (follow) {
            f.follow(id);
        } else {
            f.printAll(id);
        }
        return ExitCodes.OK;
    }
}

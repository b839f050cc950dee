package io.drover.agent.cli;

/**
 * Exit codes of the {@code drover} client commands. {@code submit --wait} and {@code clone --wait}
 * exit with the task's own exit code instead; these are what is left when the task has none.
 */
public final class ExitCodes {
    /** The command did what was asked. */
    public static final int OK = 0;
    /** A user or server error ({@code error: ...} on stderr), or a task that failed without an exit code. */
    public static final int ERROR = 1;
    /** The command line was wrong (unknown option, bad KEY=VALUE, missing file). */
    public static final int USAGE = 2;
    /** The waited-for task was aborted: 128 + SIGINT, as a shell reports an interrupted command. */
    public static final int ABORTED = 130;

    private ExitCodes() {}
}

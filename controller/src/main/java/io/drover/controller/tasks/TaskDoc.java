package io.drover.controller.tasks;

/**
 * Field names of the task document that the controller owns (the queue owns those in
 * {@link io.drover.queue.TaskFields}).
 *
 * <pre>
 * name String · project String · tags [String] · archived bool · parentId String|null
 * params   [{k, v}]   ordered pairs, not a sub-document: parameter names may contain '.' or '$',
 *                     which MongoDB cannot address as field paths
 * script   {repo, branch, commit, entryPoint, args, workingDir, requirements, hasDiff}
 *          (the diff itself is in the task_diffs collection, {_id: taskId, diff})
 * captured {python, installedPackages, hostname, …} as reported by the agent
 * artifacts [{name, size, sha256, contentType}]  maintained by the artifacts resource
 * execution.{exitCode, resolvedCommit, maxRssKb, cpuSeconds}
 * createdAt, updatedAt Date
 * </pre>
 */
public final class TaskDoc {
    public static final String NAME = "name";
    public static final String PROJECT = "project";
    public static final String TAGS = "tags";
    public static final String ARCHIVED = "archived";
    public static final String PARENT_ID = "parentId";
    public static final String PARAMS = "params";
    public static final String SCRIPT = "script";
    public static final String CAPTURED = "captured";
    public static final String ARTIFACTS = "artifacts";
    public static final String CREATED_AT = "createdAt";
    public static final String EXIT_CODE = "execution.exitCode";
    public static final String RESOLVED_COMMIT = "execution.resolvedCommit";
    public static final String MAX_RSS_KB = "execution.maxRssKb";
    public static final String CPU_SECONDS = "execution.cpuSeconds";
    public static final String ABORT_REQUESTED = "abortRequested";
    /** Who created the task (the principal's user name; {@code local} with auth off; absent on old documents). */
    public static final String USER = "user";

    /** Param pair keys inside {@link #PARAMS}. */
    public static final String K = "k";
    public static final String V = "v";

    private TaskDoc() {}
}

package io.drover.agent.workspace;

import java.nio.file.Path;

/** A task's code on disk: the repository root, the commit it is at, and whether a diff was applied. */
public record Checkout(Path root, String resolvedCommit, boolean diffApplied) {}

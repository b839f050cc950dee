package io.drover.agent.docker;

import java.nio.file.Path;

/**
 * The host folders a task container sees, each at the same path as on the host, so every path
 * the runner puts in the task's environment (output dir, capture file, venv, hooks) is valid inside
 * unchanged. Only the workspace and the task's own folder are writable.
 *
 * @param workspace   the checkout (read-write: tasks write next to their code)
 * @param environment the task's environment from the cache (read-only); null for the {@code system} manager
 * @param taskDir     output folder, params capture, scalar batches, result file (read-write)
 * @param hooks       sitecustomize.py and the {@code drover} client package (read-only)
 * @param shim        the supervisor shim file (read-only)
 */
public record Mounts(Path workspace, Path environment, Path taskDir, Path hooks, Path shim) {}

package io.drover.agent.cli.git;

import java.nio.file.Path;
import java.util.List;

/**
 * What {@code drover submit} captured from a work tree, so an agent can rebuild exactly it.
 *
 * @param root     the work tree's top directory
 * @param repo     URL of {@code origin} (or the first remote), else the absolute path of {@code root}
 * @param remote   whether {@code repo} is a remote URL (false: a local path)
 * @param branch   checked-out branch, or null when HEAD is detached
 * @param commit   HEAD's 40-hex commit id
 * @param diff     uncommitted changes against HEAD, untracked non-ignored files included, as a
 *                 unified git diff that JGit's {@code ApplyCommand} applies; empty when clean
 * @param changed  repo-relative paths the diff touches
 * @param warnings things the user should know (binary files left out, commit not pushed, ...)
 */
public record GitSnapshot(Path root, String repo, boolean remote, String branch, String commit, String diff,
        List<String> changed, List<String> warnings) {

    public boolean hasDiff() {
        return !diff.isEmpty();
    }
}

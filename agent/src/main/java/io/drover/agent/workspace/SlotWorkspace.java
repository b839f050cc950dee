package io.drover.agent.workspace;

import io.drover.agent.capture.OutputFiles;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.Consumer;
import org.eclipse.jgit.api.Git;
import org.eclipse.jgit.api.ResetCommand;
import org.eclipse.jgit.api.errors.GitAPIException;
import org.eclipse.jgit.lib.Repository;
import org.eclipse.jgit.patch.Patch;
import org.eclipse.jgit.patch.PatchApplier;
import org.eclipse.jgit.storage.file.FileRepositoryBuilder;

/**
 * The working tree a slot runs its tasks in, one per repository under {@code slots/<slot>/<key>}.
 * It borrows the mirror's objects through {@code objects/info/alternates} (no copy, no fetch), and
 * each task resets it hard to its commit and cleans every untracked and ignored file, which on a
 * warm repository takes milliseconds instead of a clone. One preparation at a time: a task stopped
 * mid-checkout may still be finishing in the background when the next one starts.
 */
public final class SlotWorkspace {
    private final RepoCache cache;
    private final Path slotDir;

    public SlotWorkspace(RepoCache cache, Path slotDir) {
        this.cache = cache;
        this.slotDir = slotDir;
    }

    /**
     * Checks out {@code commit} (or the head of {@code branch}) of {@code repo} and applies
     * {@code diff} when there is one.
     */
    public Checkout prepare(String repo, String branch, String commit, String diff, Consumer<String> log)
            throws WorkspaceException {
        return prepare(repo, branch, commit, diff, GitCredentials.NONE, log);
    }

    /** Same, fetching an http(s) repository with {@code creds}. */
    public synchronized Checkout prepare(String repo, String branch, String commit, String diff, GitCredentials creds,
            Consumer<String> log) throws WorkspaceException {
        if (repo == null || repo.isBlank()) throw new WorkspaceException("the task has no script.repo to run");
        RepoCache.Resolved resolved = cache.resolve(repo, branch, commit, creds, log);
        Path root = slotDir.resolve(resolved.mirror().getFileName().toString());
        try {
            try (Repository r = openOrCreate(root, resolved.mirror()); Git git = new Git(r)) {
                git.reset().setMode(ResetCommand.ResetType.HARD).setRef(resolved.commit()).call();
                git.clean().setCleanDirectories(true).setIgnore(false).setForce(true).call();
                boolean applied = false;
                if (diff != null && !diff.isBlank()) {
                    apply(r, diff);
                    applied = true;
                }
                return new Checkout(root, resolved.commit(), applied);
            }
        } catch (GitAPIException | IOException | RuntimeException e) {
            // a damaged working tree is rebuilt from the mirror next time
            try {
                OutputFiles.deleteTree(root);
            } catch (IOException ignored) {
                // best effort
            }
            throw new WorkspaceException("cannot check out " + resolved.commit() + " of " + RepoUrl.redact(repo)
                    + ": " + RepoCache.message(e), e);
        }
    }

    private static void apply(Repository r, String diff) throws WorkspaceException, IOException {
        Patch patch = new Patch();
        patch.parse(new ByteArrayInputStream(diff.getBytes(StandardCharsets.UTF_8)));
        if (!patch.getErrors().isEmpty()) {
            throw new WorkspaceException("uncommitted diff does not apply: it is not a valid patch ("
                    + patch.getErrors().get(0).getMessage() + ")");
        }
        if (patch.getFiles().isEmpty()) {
            throw new WorkspaceException("uncommitted diff does not apply: it holds no file changes (is it a unified diff?)");
        }
        PatchApplier.Result result;
        try {
            result = new PatchApplier(r).applyPatch(patch);
        } catch (RuntimeException e) {
            // JGit throws on some malformed hunks instead of reporting them
            throw new WorkspaceException("uncommitted diff does not apply: it is not a valid patch (" + e + ")", e);
        }
        if (!result.getErrors().isEmpty()) {
            throw new WorkspaceException("uncommitted diff does not apply: " + result.getErrors()
                    + " (the task's commit differs from the one the diff was made against?)");
        }
    }

    private static Repository openOrCreate(Path root, Path mirror) throws IOException, GitAPIException {
        Path gitDir = root.resolve(".git");
        if (!Files.isDirectory(gitDir)) {
            OutputFiles.deleteTree(root);
            Files.createDirectories(root);
            try (Git g = Git.init().setDirectory(root.toFile()).call()) {
                RepoCache.disableAutoGc(g.getRepository());
            }
            Path alternates = gitDir.resolve("objects/info/alternates");
            Files.createDirectories(alternates.getParent());
            Files.writeString(alternates, mirror.resolve("objects").toAbsolutePath() + "\n");
        }
        return new FileRepositoryBuilder().setGitDir(gitDir.toFile()).setWorkTree(root.toFile()).setMustExist(true).build();
    }
}

package io.drover.agent.workspace;

import io.drover.agent.capture.OutputFiles;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import org.eclipse.jgit.api.Git;
import org.eclipse.jgit.api.errors.GitAPIException;
import org.eclipse.jgit.errors.MissingObjectException;
import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.lib.Repository;
import org.eclipse.jgit.revwalk.RevCommit;
import org.eclipse.jgit.revwalk.RevWalk;
import org.eclipse.jgit.storage.file.FileRepositoryBuilder;
import org.eclipse.jgit.transport.RefSpec;

/**
 * One bare mirror per repository URL under {@code repos/<key>}: created once, then only fetched,
 * and not even fetched when the wanted commit is already there (the warm path costs no network).
 */
public final class RepoCache {
    private static final List<RefSpec> MIRROR_SPECS = List.of(
            new RefSpec("+refs/heads/*:refs/heads/*"), new RefSpec("+refs/tags/*:refs/tags/*"));

    private final Path reposDir;
    private final ConcurrentHashMap<String, Object> locks = new ConcurrentHashMap<>();

    public RepoCache(Path reposDir) {
        this.reposDir = reposDir;
    }

    /** A commit resolved in a mirror. */
    public record Resolved(Path mirror, String commit) {}

    /**
     * Makes sure the mirror of {@code url} holds the wanted commit (or, with no commit, the latest
     * head of {@code branch}, or HEAD) and returns it resolved.
     */
    public Resolved resolve(String repo, String branch, String commit, Consumer<String> log) throws WorkspaceException {
        return resolve(repo, branch, commit, GitCredentials.NONE, log);
    }

    /** Same, fetching http(s) remotes with {@code creds} (the project's GIT_TOKEN). */
    public Resolved resolve(String repo, String branch, String commit, GitCredentials creds, Consumer<String> log)
            throws WorkspaceException {
        String url = RepoUrl.normalize(repo);
        String key = RepoUrl.key(url + creds.cacheSalt());
        synchronized (locks.computeIfAbsent(key, k -> new Object())) {
            Path mirror = reposDir.resolve(key);
            boolean fresh = false;
            if (!Files.isDirectory(mirror.resolve("objects"))) {
                cloneMirror(repo, url, mirror, creds, log);
                fresh = true;
            }
            try (Repository r = open(mirror)) {
                if (commit != null && !commit.isBlank()) {
                    String found = findCommit(r, commit);
                    if (found == null && !fresh) {
                        fetch(repo, url, mirror, creds, log);
                        found = findCommit(r, commit);
                    }
                    if (found == null) {
                        throw new WorkspaceException("commit " + commit + " not found in " + RepoUrl.redact(repo)
                                + ": push it to that repository (or submit from a clone that has it)");
                    }
                    return new Resolved(mirror, found);
                }
                if (!fresh) fetch(repo, url, mirror, creds, log);
                String ref = branch == null || branch.isBlank() ? "HEAD" : branch;
                String found = findCommit(r, ref);
                if (found == null && !ref.equals("HEAD")) found = findCommit(r, "refs/heads/" + ref);
                if (found == null) {
                    throw new WorkspaceException("branch " + ref + " not found in " + RepoUrl.redact(repo)
                            + ": check the task's script.branch");
                }
                return new Resolved(mirror, found);
            } catch (IOException e) {
                throw new WorkspaceException("cannot read the cached repository " + mirror + " for "
                        + RepoUrl.redact(repo) + ": " + e.getMessage() + " (delete that directory to re-clone)", e);
            }
        }
    }

    /** JGit's background auto-gc would race with our directory moves and slow the hot path. */
    static void disableAutoGc(Repository r) throws IOException {
        r.getConfig().setInt("gc", null, "auto", 0);
        r.getConfig().setBoolean("gc", null, "autoDetach", false);
        r.getConfig().save();
    }

    static Repository open(Path gitDir) throws IOException {
        return new FileRepositoryBuilder().setGitDir(gitDir.toFile()).setMustExist(true).build();
    }

    private static String findCommit(Repository r, String rev) throws IOException {
        try {
            ObjectId id = r.resolve(rev + "^{commit}");
            if (id == null) return null;
            try (RevWalk w = new RevWalk(r)) {
                RevCommit c = w.parseCommit(id);
                return c.getName();
            }
        } catch (MissingObjectException | org.eclipse.jgit.errors.RevisionSyntaxException
                 | org.eclipse.jgit.errors.AmbiguousObjectException | org.eclipse.jgit.errors.IncorrectObjectTypeException e) {
            return null;
        }
    }

    private void cloneMirror(String repo, String url, Path mirror, GitCredentials creds, Consumer<String> log)
            throws WorkspaceException {
        log.accept("[drover] cloning " + RepoUrl.redact(repo));
        Path tmp = reposDir.resolve(mirror.getFileName() + ".tmp-" + ProcessHandle.current().pid());
        try {
            OutputFiles.deleteTree(tmp);
            OutputFiles.deleteTree(mirror);
            Files.createDirectories(reposDir);
            try (Git git = Git.init().setBare(true).setDirectory(tmp.toFile()).call()) {
                git.getRepository().getConfig().setString("remote", "origin", "url", url);
                disableAutoGc(git.getRepository());
                git.fetch().setRemote(url).setRefSpecs(MIRROR_SPECS).setCredentialsProvider(creds.provider(url)).call();
                // HEAD of a bare init points at master; follow the remote's default branch instead
                var remoteHead = git.lsRemote().setRemote(url).setCredentialsProvider(creds.provider(url)).callAsMap().get("HEAD");
                if (remoteHead != null && remoteHead.isSymbolic()) {
                    var u = git.getRepository().updateRef("HEAD");
                    u.link(remoteHead.getTarget().getName());
                }
            }
            Files.move(tmp, mirror);
        } catch (GitAPIException | IOException | RuntimeException e) {
            try {
                OutputFiles.deleteTree(tmp);
            } catch (IOException ignored) {
                // best effort
            }
            throw new WorkspaceException(creds.mask("cannot clone repo " + RepoUrl.redact(repo) + ": " + message(e)
                    + authHint(e, url, creds, " (check the URL and that this agent's machine can reach it)")), e);
        }
    }

    private void fetch(String repo, String url, Path mirror, GitCredentials creds, Consumer<String> log) throws WorkspaceException {
        log.accept("[drover] fetching " + RepoUrl.redact(repo));
        try (Git git = new Git(open(mirror))) {
            git.fetch().setRemote(url).setRefSpecs(MIRROR_SPECS).setRemoveDeletedRefs(true)
                    .setCredentialsProvider(creds.provider(url)).call();
        } catch (GitAPIException | IOException | RuntimeException e) {
            throw new WorkspaceException(creds.mask("cannot fetch repo " + RepoUrl.redact(repo) + ": " + message(e)
                    + authHint(e, url, creds, "")), e);
        }
    }

    /** What to do when the server wants credentials: a missing token and a refused one read differently. */
    static String authHint(Throwable e, String url, GitCredentials creds, String otherwise) {
        String m = String.valueOf(message(e)).toLowerCase(java.util.Locale.ROOT);
        boolean auth = m.contains("not authorized") || m.contains("authentication is required") || m.contains("401")
                || m.contains("403") || m.contains("auth fail");
        if (!auth) return otherwise;
        if (creds.present() && url != null && url.startsWith("http://") && !GitCredentials.sentTo(url)) {
            return " (the project's GIT_TOKEN is only sent over https, never in clear text: use the https:// URL of the repository)";
        }
        return creds.present()
                ? " (the server refused the project's GIT_TOKEN secret: check that the token is valid and can read this repository)"
                : " (the repository needs credentials: store a token that can read it as the project's GIT_TOKEN secret,"
                        + " e.g. drover secrets set GIT_TOKEN --project PROJECT)";
    }

    static String message(Throwable e) {
        String m = e.getMessage();
        Throwable c = e.getCause();
        if (c != null && c.getMessage() != null && (m == null || !m.contains(c.getMessage()))) {
            m = (m == null ? "" : m + ": ") + c.getMessage();
        }
        return m == null ? e.getClass().getSimpleName() : m;
    }
}

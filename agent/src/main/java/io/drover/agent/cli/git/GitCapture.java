package io.drover.agent.cli.git;

import io.drover.shared.domain.DroverException;
import io.drover.shared.domain.ErrorCode;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.eclipse.jgit.diff.DiffEntry;
import org.eclipse.jgit.diff.DiffFormatter;
import org.eclipse.jgit.diff.RawText;
import org.eclipse.jgit.lib.Constants;
import org.eclipse.jgit.lib.FileMode;
import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.lib.ObjectReader;
import org.eclipse.jgit.lib.Ref;
import org.eclipse.jgit.lib.Repository;
import org.eclipse.jgit.revwalk.RevCommit;
import org.eclipse.jgit.revwalk.RevWalk;
import org.eclipse.jgit.storage.file.FileRepositoryBuilder;
import org.eclipse.jgit.treewalk.CanonicalTreeParser;
import org.eclipse.jgit.treewalk.FileTreeIterator;
import org.eclipse.jgit.treewalk.TreeWalk;

/**
 * Captures the state of the git work tree around a directory: remote, branch, commit and the
 * uncommitted diff, so that a checkout of the commit plus the diff is what the user has on disk.
 */
public final class GitCapture {
    /** The API takes JSON bodies up to 1 MiB; leave room for the rest of the task. */
    public static final int MAX_DIFF_BYTES = 900 * 1024;

    private GitCapture() {}

    public static GitSnapshot capture(Path dir) {
        Path abs = dir.toAbsolutePath().normalize();
        if (!Files.isDirectory(abs)) {
            throw bad("directory " + abs + " does not exist; give the directory of your code (default: the current one)");
        }
        FileRepositoryBuilder builder = new FileRepositoryBuilder().findGitDir(abs.toFile());
        if (builder.getGitDir() == null) {
            throw bad(abs + " is not inside a git work tree: the agent checks your code out of git."
                    + " Run 'git init && git add -A && git commit -m init' there first, or pass the repository's directory");
        }
        try (Repository repo = builder.setMustExist(true).build()) {
            if (repo.isBare()) throw bad(abs + " is inside a bare git repository; run drover submit in a work tree");
            Path root = repo.getWorkTree().toPath().toAbsolutePath().normalize();
            ObjectId head = repo.resolve(Constants.HEAD);
            if (head == null) {
                throw bad("the git repository at " + root + " has no commits yet; commit your code first"
                        + " (git add -A && git commit -m 'first')");
            }
            List<String> warnings = new ArrayList<>();
            String remoteName = remoteName(repo);
            String repoUrl = remoteName == null ? root.toString() : stripCredentials(
                    repo.getConfig().getString("remote", remoteName, "url"), warnings);
            if (repoUrl == null) repoUrl = root.toString();
            boolean remote = remoteName != null && !repoUrl.equals(root.toString());
            if (remote) warnIfNotPushed(repo, head, remoteName, warnings);
            String full = repo.getFullBranch();
            String branch = full != null && full.startsWith(Constants.R_HEADS) ? Repository.shortenRefName(full) : null;
            List<String> changed = new ArrayList<>();
            String diff = diff(repo, head, changed, warnings);
            return new GitSnapshot(root, repoUrl, remote, branch, head.name(), diff, List.copyOf(changed), List.copyOf(warnings));
        } catch (IOException e) {
            throw bad("cannot read the git repository at " + abs + ": " + e.getMessage());
        }
    }

    /** {@code origin} if there is one, else the first remote with a URL, else null. */
    private static String remoteName(Repository repo) {
        Set<String> remotes = repo.getConfig().getSubsections("remote");
        if (remotes.contains("origin") && repo.getConfig().getString("remote", "origin", "url") != null) return "origin";
        for (String r : remotes) {
            if (repo.getConfig().getString("remote", r, "url") != null) return r;
        }
        return null;
    }

    /** A token in an https URL must not end up in the task record (everyone can read it there). */
    static String stripCredentials(String url, List<String> warnings) {
        if (url == null) return null;
        try {
            URI u = URI.create(url);
            if (u.getRawUserInfo() != null && u.getScheme() != null && u.getScheme().startsWith("http")) {
                warnings.add("the remote URL carries credentials; they were left out of the task, so the agent needs its own access");
                return new URI(u.getScheme(), null, u.getHost(), u.getPort(), u.getPath(), u.getQuery(), u.getFragment()).toString();
            }
        } catch (IllegalArgumentException | java.net.URISyntaxException e) {
            // scp-style (git@host:path) and local paths are not URIs; nothing to strip
        }
        return url;
    }

    private static void warnIfNotPushed(Repository repo, ObjectId head, String remote, List<String> warnings)
            throws IOException {
        List<Ref> refs = repo.getRefDatabase().getRefsByPrefix(Constants.R_REMOTES + remote + "/");
        try (RevWalk walk = new RevWalk(repo)) {
            RevCommit h = walk.parseCommit(head);
            for (Ref ref : refs) {
                if (ref.getObjectId() == null) continue;
                RevCommit tip = walk.parseCommit(ref.getObjectId());
                if (walk.isMergedInto(h, tip)) return;
                walk.reset();
            }
        }
        warnings.add("commit " + head.abbreviate(8).name() + " is not on any branch of '" + remote
                + "' as far as this clone knows; if the agent cannot fetch it the task fails: push it first (git push)");
    }

    private static String diff(Repository repo, ObjectId head, List<String> changed, List<String> warnings)
            throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (RevWalk walk = new RevWalk(repo); ObjectReader reader = repo.newObjectReader();
                DiffFormatter fmt = new DiffFormatter(out)) {
            CanonicalTreeParser headTree = new CanonicalTreeParser();
            headTree.reset(reader, walk.parseCommit(head).getTree());
            fmt.setRepository(repo);
            // Against the files on disk, not the index: staged or not, the agent must run what is
            // there; untracked files come out as added, ignored ones are skipped (STACK-NOTES.md).
            List<DiffEntry> entries = fmt.scan(headTree, new FileTreeIterator(repo));
            List<DiffEntry> text = new ArrayList<>();
            for (DiffEntry e : entries) {
                if (e.getNewMode() == FileMode.GITLINK || e.getOldMode() == FileMode.GITLINK) {
                    warnings.add("submodule " + path(e) + " is not captured; commit its state");
                } else if (e.getChangeType() != DiffEntry.ChangeType.DELETE && isBinary(repo, e.getNewPath())) {
                    warnings.add("binary file " + e.getNewPath() + " has uncommitted changes that cannot travel"
                            + " in a text diff; the agent gets the committed version: commit it to include it");
                } else {
                    text.add(e);
                    changed.add(path(e));
                }
            }
            fmt.format(text);
            fmt.flush();
        }
        if (out.size() > MAX_DIFF_BYTES) {
            throw bad("the uncommitted changes are " + (out.size() / 1024) + " KiB as a diff; at most "
                    + (MAX_DIFF_BYTES / 1024) + " KiB travel with a task: commit them (and push), or add large"
                    + " generated files to .gitignore. Changed: " + String.join(", ", changed.subList(0, Math.min(10, changed.size()))));
        }
        return out.toString(StandardCharsets.UTF_8);
    }

    private static boolean isBinary(Repository repo, String path) throws IOException {
        Path f = repo.getWorkTree().toPath().resolve(path);
        if (!Files.isRegularFile(f)) return false;
        try (InputStream in = Files.newInputStream(f)) {
            return RawText.isBinary(in);
        }
    }

    private static String path(DiffEntry e) {
        return e.getChangeType() == DiffEntry.ChangeType.DELETE ? e.getOldPath() : e.getNewPath();
    }

    private static DroverException bad(String message) {
        return new DroverException(ErrorCode.BAD_REQUEST, message);
    }
}

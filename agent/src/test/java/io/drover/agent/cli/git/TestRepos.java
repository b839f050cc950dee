package io.drover.agent.cli.git;

import java.nio.file.Files;
import java.nio.file.Path;
import org.eclipse.jgit.api.Git;

/** Real git repositories in temp directories, made with JGit (no git binary needed). */
public final class TestRepos {
    private TestRepos() {}

    /** A repo on branch main with the given files committed ({@code path, content, path, content, ...}). */
    public static Git init(Path dir, String... files) throws Exception {
        Git git = Git.init().setDirectory(dir.toFile()).setInitialBranch("main").call();
        write(dir, files);
        git.add().addFilepattern(".").call();
        git.commit().setMessage("init").setAuthor("Test", "test@example.com")
                .setCommitter("Test", "test@example.com").setSign(false).call();
        return git;
    }

    public static void write(Path dir, String... files) throws Exception {
        for (int i = 0; i < files.length; i += 2) {
            Path f = dir.resolve(files[i]);
            Files.createDirectories(f.getParent());
            Files.writeString(f, files[i + 1]);
        }
    }

    /** {@code file:///...} URL of a local repo, the form JGit's clone accepts. */
    public static String fileUrl(Path dir) {
        return dir.toUri().toString().replace("file:/", "file:///").replace("file:////", "file:///");
    }
}

package io.drover.agent.workspace;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.eclipse.jgit.api.Git;
import org.eclipse.jgit.diff.DiffFormatter;
import org.eclipse.jgit.lib.PersonIdent;
import org.eclipse.jgit.revwalk.RevCommit;
import org.eclipse.jgit.treewalk.CanonicalTreeParser;
import org.eclipse.jgit.treewalk.FileTreeIterator;
import org.eclipse.jgit.treewalk.filter.TreeFilter;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Real repositories in temp dirs: mirror, checkout by commit and branch, diffs, and the errors users cause. */
class SlotWorkspaceTest {
    @TempDir
    Path tmp;

    Path origin;
    Git git;
    RevCommit first;
    RevCommit second;
    SlotWorkspace ws;
    List<String> log = new ArrayList<>();

    @BeforeEach
    void setUp() throws Exception {
        origin = tmp.resolve("origin");
        git = Git.init().setDirectory(origin.toFile()).setInitialBranch("main").call();
        Files.writeString(origin.resolve("train.py"), "print('v1')\n");
        Files.writeString(origin.resolve(".gitignore"), "*.pyc\n");
        first = commit("v1");
        Files.writeString(origin.resolve("train.py"), "print('v2')\n");
        second = commit("v2");
        ws = new SlotWorkspace(new RepoCache(tmp.resolve("work/repos")), tmp.resolve("work/slots/0"));
    }

    private RevCommit commit(String msg) throws Exception {
        git.add().addFilepattern(".").call();
        PersonIdent who = new PersonIdent("t", "t@example.com");
        return git.commit().setMessage(msg).setAuthor(who).setCommitter(who).call();
    }

    /** The uncommitted changes of {@code git}'s work tree as a unified diff, new files included. */
    private String uncommittedDiff() throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (DiffFormatter f = new DiffFormatter(out); var reader = git.getRepository().newObjectReader()) {
            f.setRepository(git.getRepository());
            f.setPathFilter(TreeFilter.ANY_DIFF);
            CanonicalTreeParser head = new CanonicalTreeParser();
            head.reset(reader, git.getRepository().resolve("HEAD^{tree}"));
            f.format(head, new FileTreeIterator(git.getRepository()));
        }
        return out.toString();
    }

    @Test
    void checksOutACommitFromALocalPath() throws Exception {
        Checkout c = ws.prepare(origin.toString(), "main", first.getName(), null, log::add);
        assertThat(c.resolvedCommit()).isEqualTo(first.getName());
        assertThat(Files.readString(c.root().resolve("train.py"))).isEqualTo("print('v1')\n");
        assertThat(log).anyMatch(l -> l.startsWith("[drover] cloning"));
    }

    @Test
    void branchHeadWhenThereIsNoCommitAndFetchesNewCommits() throws Exception {
        String url = origin.toUri().toString(); // file:/... as File.toURI() gives it
        Checkout c = ws.prepare(url, "main", null, null, log::add);
        assertThat(c.resolvedCommit()).isEqualTo(second.getName());
        Files.writeString(origin.resolve("train.py"), "print('v3')\n");
        RevCommit third = commit("v3");
        log.clear();
        c = ws.prepare(url, "main", third.getName(), null, log::add);
        assertThat(c.resolvedCommit()).isEqualTo(third.getName());
        assertThat(Files.readString(c.root().resolve("train.py"))).isEqualTo("print('v3')\n");
        assertThat(log).anyMatch(l -> l.startsWith("[drover] fetching")).noneMatch(l -> l.startsWith("[drover] cloning"));
    }

    @Test
    void aWarmCheckoutNeedsNoFetchAndIsCleanedBetweenTasks() throws Exception {
        Checkout c = ws.prepare(origin.toString(), null, second.getName(), null, log::add);
        Files.writeString(c.root().resolve("leftover.txt"), "x");
        Files.writeString(c.root().resolve("cache.pyc"), "ignored but removed");
        Files.writeString(c.root().resolve("train.py"), "edited by the last task");
        log.clear();
        long t0 = System.nanoTime();
        c = ws.prepare(origin.toString(), null, first.getName(), null, log::add);
        double ms = (System.nanoTime() - t0) / 1e6;
        assertThat(log).isEmpty();
        assertThat(c.root().resolve("leftover.txt")).doesNotExist();
        assertThat(c.root().resolve("cache.pyc")).doesNotExist();
        assertThat(Files.readString(c.root().resolve("train.py"))).isEqualTo("print('v1')\n");
        assertThat(ms).as("warm checkout ms").isLessThan(1000);
    }

    @Test
    void appliesTheUncommittedDiffIncludingNewFiles() throws Exception {
        Files.writeString(origin.resolve("train.py"), "print('edited')\n");
        Files.createDirectories(origin.resolve("pkg"));
        Files.writeString(origin.resolve("pkg/new_module.py"), "X = 1\n");
        String diff = uncommittedDiff();
        assertThat(diff).contains("pkg/new_module.py");
        Checkout c = ws.prepare(origin.toString(), "main", second.getName(), diff, log::add);
        assertThat(c.diffApplied()).isTrue();
        assertThat(Files.readString(c.root().resolve("train.py"))).isEqualTo("print('edited')\n");
        assertThat(Files.readString(c.root().resolve("pkg/new_module.py"))).isEqualTo("X = 1\n");
        // the next task at the same commit without a diff gets the pristine tree
        c = ws.prepare(origin.toString(), "main", second.getName(), null, log::add);
        assertThat(c.root().resolve("pkg/new_module.py")).doesNotExist();
        assertThat(Files.readString(c.root().resolve("train.py"))).isEqualTo("print('v2')\n");
    }

    @Test
    void aDiffThatDoesNotApplySaysSo() throws Exception {
        Files.writeString(origin.resolve("train.py"), "print('edited')\n");
        String diff = uncommittedDiff(); // made against v2, applied on v1
        assertThatThrownBy(() -> ws.prepare(origin.toString(), "main", first.getName(), diff, log::add))
                .isInstanceOf(WorkspaceException.class).hasMessageStartingWith("uncommitted diff does not apply: ");
        assertThatThrownBy(() -> ws.prepare(origin.toString(), "main", first.getName(), "diff --git garbage\n@@ nope", log::add))
                .isInstanceOf(WorkspaceException.class).hasMessageStartingWith("uncommitted diff does not apply");
    }

    @Test
    void anUnknownCommitNamesTheCommitAndTheRepo() {
        String missing = "0123456789abcdef0123456789abcdef01234567";
        assertThatThrownBy(() -> ws.prepare(origin.toString(), "main", missing, null, log::add))
                .isInstanceOf(WorkspaceException.class)
                .hasMessageStartingWith("commit " + missing + " not found in " + origin);
    }

    @Test
    void aBadUrlSaysItCannotCloneWhich() {
        Path nowhere = tmp.resolve("no-such-repo");
        assertThatThrownBy(() -> ws.prepare(nowhere.toString(), "main", null, null, log::add))
                .isInstanceOf(WorkspaceException.class)
                .hasMessageStartingWith("cannot clone repo " + nowhere + ": ");
        assertThat(tmp.resolve("work/repos")).isEmptyDirectory();
        assertThatThrownBy(() -> ws.prepare("https://user:secret@127.0.0.1:1/x.git", "main", null, null, log::add))
                .hasMessageStartingWith("cannot clone repo https://***@127.0.0.1:1/x.git: ")
                .hasMessageNotContaining("secret");
    }

    @Test
    void anUnknownBranchSaysSo() {
        assertThatThrownBy(() -> ws.prepare(origin.toString(), "nope", null, null, log::add))
                .hasMessageStartingWith("branch nope not found in " + origin);
    }

    @Test
    void normalizesLocalUrls() {
        assertThat(RepoUrl.normalize("file:/a/b")).isEqualTo("file:///a/b");
        assertThat(RepoUrl.normalize("/a/b/")).isEqualTo("file:///a/b");
        assertThat(RepoUrl.normalize("https://h/x.git")).isEqualTo("https://h/x.git");
        assertThat(RepoUrl.key(RepoUrl.normalize("/a/b"))).isEqualTo(RepoUrl.key(RepoUrl.normalize("file:/a/b")));
    }
}

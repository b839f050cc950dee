package io.drover.agent.cli.git;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.drover.shared.domain.DroverException;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.eclipse.jgit.api.ApplyResult;
import org.eclipse.jgit.api.Git;
import org.eclipse.jgit.transport.URIish;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class GitCaptureTest {
    @TempDir
    Path tmp;

    @Test
    void cleanTreeHasNoDiffAndReportsLocalPathBranchAndCommit() throws Exception {
        Path repo = tmp.resolve("clean");
        try (Git git = TestRepos.init(repo, "train.py", "print('hi')\n", ".gitignore", "*.log\n")) {
            TestRepos.write(repo, "run.log", "ignored output\n");
            GitSnapshot s = GitCapture.capture(repo);
            assertThat(s.hasDiff()).isFalse();
            assertThat(s.diff()).isEmpty();
            assertThat(s.remote()).isFalse();
            assertThat(s.repo()).isEqualTo(repo.toRealPath().toString());
            assertThat(s.branch()).isEqualTo("main");
            assertThat(s.commit()).isEqualTo(git.getRepository().resolve("HEAD").name()).hasSize(40);
        }
    }

    @Test
    void diffOfModifiedNewAndDeletedFilesAppliesOnAFreshClone() throws Exception {
        Path repo = tmp.resolve("src");
        try (Git git = TestRepos.init(repo, "train.py", "import sys\nprint('v1')\n", "old.txt", "bye\n",
                "pkg/util.py", "X = 1\n", ".gitignore", "outputs/\n*.tmp\n")) {
            TestRepos.write(repo, "train.py", "import sys\nprint('v2')\n",
                    "pkg/new_module.py", "Y = 2\n", "data/new.csv", "a,b\n1,2\n",
                    "outputs/model.bin", "ignored\n", "scratch.tmp", "ignored\n");
            Files.delete(repo.resolve("old.txt"));
            git.add().addFilepattern("pkg/new_module.py").call(); // staged or not, both travel

            GitSnapshot s = GitCapture.capture(repo.resolve("pkg"));

            assertThat(s.hasDiff()).isTrue();
            assertThat(s.root()).isEqualTo(repo.toRealPath());
            assertThat(s.changed()).containsExactlyInAnyOrder("train.py", "old.txt", "pkg/new_module.py", "data/new.csv");
            assertThat(s.diff()).doesNotContain("outputs/model.bin").doesNotContain("scratch.tmp");

            Path clone = tmp.resolve("clone");
            try (Git c = Git.cloneRepository().setURI(TestRepos.fileUrl(repo)).setDirectory(clone.toFile()).call()) {
                c.checkout().setName(s.commit()).call();
                ApplyResult r = c.apply().setPatch(new ByteArrayInputStream(s.diff().getBytes(StandardCharsets.UTF_8))).call();
                assertThat(r.getUpdatedFiles()).isNotEmpty();
            }
            assertThat(Files.readString(clone.resolve("train.py"))).isEqualTo("import sys\nprint('v2')\n");
            assertThat(Files.readString(clone.resolve("pkg/new_module.py"))).isEqualTo("Y = 2\n");
            assertThat(Files.readString(clone.resolve("data/new.csv"))).isEqualTo("a,b\n1,2\n");
            assertThat(clone.resolve("old.txt")).doesNotExist();
            assertThat(clone.resolve("outputs/model.bin")).doesNotExist();
        }
    }

    @Test
    void binaryChangesAreLeftOutWithAWarning() throws Exception {
        Path repo = tmp.resolve("bin");
        try (Git git = TestRepos.init(repo, "train.py", "print(1)\n")) {
            Files.write(repo.resolve("weights.bin"), new byte[] {0, 1, 2, 0, 3});
            GitSnapshot s = GitCapture.capture(repo);
            assertThat(s.diff()).doesNotContain("weights.bin");
            assertThat(s.warnings()).anyMatch(w -> w.contains("weights.bin"));
        }
    }

    @Test
    void originUrlIsPreferredAndCredentialsAreStripped() throws Exception {
        Path repo = tmp.resolve("remote");
        try (Git git = TestRepos.init(repo, "a.py", "pass\n")) {
            git.remoteAdd().setName("upstream").setUri(new URIish("https://example.com/up/proj.git")).call();
            assertThat(GitCapture.capture(repo).repo()).isEqualTo("https://example.com/up/proj.git");
            git.remoteAdd().setName("origin").setUri(new URIish("https://user:s3cret@example.com/me/proj.git")).call();
            GitSnapshot s = GitCapture.capture(repo);
            assertThat(s.remote()).isTrue();
            assertThat(s.repo()).isEqualTo("https://example.com/me/proj.git");
            assertThat(s.warnings()).anyMatch(w -> w.contains("credentials"))
                    .anyMatch(w -> w.contains("not on any branch of 'origin'"));
        }
    }

    @Test
    void directoryOutsideAnyRepositoryIsAClearError() throws Exception {
        Path plain = Files.createDirectories(tmp.resolve("plain"));
        assertThatThrownBy(() -> GitCapture.capture(plain))
                .isInstanceOf(DroverException.class)
                .hasMessageContaining("is not inside a git work tree")
                .hasMessageContaining("git init");
    }

    @Test
    void repositoryWithoutCommitsIsAClearError() throws Exception {
        Path repo = tmp.resolve("empty");
        Git.init().setDirectory(repo.toFile()).call().close();
        assertThatThrownBy(() -> GitCapture.capture(repo))
                .isInstanceOf(DroverException.class)
                .hasMessageContaining("has no commits yet");
    }
}

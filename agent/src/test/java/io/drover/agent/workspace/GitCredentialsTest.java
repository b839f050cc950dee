package io.drover.agent.workspace;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class GitCredentialsTest {
    @Test
    void theTokenGoesOnlyToHttpsOrLoopbackHttp() {
        GitCredentials c = new GitCredentials("ghp_secret-1234");
        assertThat(c.provider("https://github.com/org/repo.git")).isNotNull();
        assertThat(c.provider("http://127.0.0.1:8000/repo.git")).isNotNull();
        assertThat(c.provider("http://localhost/repo.git")).isNotNull();
        assertThat(c.provider("http://git.example.com/repo.git")).as("clear text over a network").isNull();
        assertThat(c.provider("file:///tmp/repo")).isNull();
        assertThat(c.provider("ssh://git@example.com/repo.git")).isNull();
        assertThat(GitCredentials.NONE.provider("https://github.com/org/repo.git")).isNull();
    }

    @Test
    void neverPrintedAndMirrorsKeyedApart() {
        GitCredentials c = new GitCredentials("ghp_secret-1234");
        assertThat(c.toString()).doesNotContain("ghp_secret-1234");
        assertThat(c.mask("auth failed for ghp_secret-1234 at ghp_secret-1234")).isEqualTo("auth failed for *** at ***");
        assertThat(c.cacheSalt()).doesNotContain("ghp_secret-1234").isNotEmpty();
        assertThat(GitCredentials.NONE.cacheSalt()).isEmpty();
        assertThat(new GitCredentials("other-token").cacheSalt()).isNotEqualTo(c.cacheSalt());
        assertThat(new GitCredentials("").present()).isFalse();
    }
}

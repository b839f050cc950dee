package io.drover.agent.docker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.github.dockerjava.api.DockerClient;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class DockerEngineTest {
    @Test
    void noEngineGivesAMessageSayingWhereAndWhatToDo() {
        DockerEngine e = DockerEngine.connect("unix:///nonexistent/drover-test.sock");
        assertThatThrownBy(e::ping).isInstanceOf(ContainerException.class)
                .hasMessageContaining("no Docker engine answers at unix:///nonexistent/drover-test.sock")
                .hasMessageContaining("--docker-host");
    }

    @Test
    void aLocalImageIsUsedAsItIsWithPullPolicyMissingOrNever() throws Exception {
        DockerEngine e = DockerTestSupport.engine();
        List<String> log = new ArrayList<>();
        ImageRef img = e.ensureImage(DockerTestSupport.BUSYBOX, PullPolicy.NEVER, log::add);
        assertThat(img.id()).isNotBlank();
        assertThat(e.ensureImage(DockerTestSupport.BUSYBOX, PullPolicy.MISSING, log::add).id()).isEqualTo(img.id());
        assertThat(log).noneMatch(l -> l.contains("pulling"));
    }

    @Test
    void pullPolicyNeverRefusesAMissingImage() {
        DockerEngine e = DockerTestSupport.engine();
        assertThatThrownBy(() -> e.ensureImage("localhost/drover-absent:1", PullPolicy.NEVER, l -> { }))
                .isInstanceOf(ContainerException.class)
                .hasMessageContaining("image localhost/drover-absent:1 is not on this agent's Docker and the task's pullPolicy is never");
    }

    @Test
    void aFailedPullNamesTheImageAndWhatToCheck() {
        DockerEngine e = DockerTestSupport.engine();
        List<String> log = new ArrayList<>();
        // no registry answers on this machine: the pull itself must fail, with a message the user can act on
        assertThatThrownBy(() -> e.ensureImage("localhost:1/drover-absent:1", PullPolicy.MISSING, log::add))
                .isInstanceOf(ContainerException.class)
                .hasMessageContaining("cannot pull image localhost:1/drover-absent:1")
                .hasMessageContaining("registry login");
        assertThat(log).anyMatch(l -> l.contains("pulling image localhost:1/drover-absent:1"));
        // always pulls even when the image is here; there is no registry for it
        assertThatThrownBy(() -> e.ensureImage(DockerTestSupport.BUSYBOX, PullPolicy.ALWAYS, l -> { }))
                .hasMessageContaining("cannot pull image " + DockerTestSupport.BUSYBOX);
    }

    @Test
    void leftoversOfThisAgentAreRemovedAndOtherAgentsContainersStay() {
        DockerEngine e = DockerTestSupport.engine();
        DockerClient c = e.client();
        String mine = c.createContainerCmd(DockerTestSupport.BUSYBOX).withCmd("sleep", "300")
                .withLabels(Map.of(DockerEngine.LABEL_AGENT, "leftover-test-a", DockerEngine.LABEL_TASK, "t1")).exec().getId();
        String stopped = c.createContainerCmd(DockerTestSupport.BUSYBOX).withCmd("true")
                .withLabels(Map.of(DockerEngine.LABEL_AGENT, "leftover-test-a", DockerEngine.LABEL_TASK, "t2")).exec().getId();
        String theirs = c.createContainerCmd(DockerTestSupport.BUSYBOX).withCmd("sleep", "300")
                .withLabels(Map.of(DockerEngine.LABEL_AGENT, "leftover-test-b")).exec().getId();
        try {
            c.startContainerCmd(mine).exec();
            assertThat(e.removeLeftovers("leftover-test-a")).isEqualTo(2);
            assertThat(ids(c, "leftover-test-a")).isEmpty();
            assertThat(ids(c, "leftover-test-b")).containsExactly(theirs);
        } finally {
            e.remove(theirs);
            e.remove(mine);
            e.remove(stopped);
        }
    }

    /** The containers of {@code agent} once they are gone (removal follows a task's end by about a second), or what is left after 30 s. */
    static List<String> idsWhenGone(DockerClient c, String agent) throws InterruptedException {
        long end = System.nanoTime() + 30_000_000_000L;
        List<String> left = ids(c, agent);
        while (!left.isEmpty() && System.nanoTime() < end) {
            Thread.sleep(100);
            left = ids(c, agent);
        }
        return left;
    }

    static List<String> ids(DockerClient c, String agent) {
        return c.listContainersCmd().withShowAll(true).withLabelFilter(Map.of(DockerEngine.LABEL_AGENT, agent)).exec()
                .stream().map(x -> x.getId()).toList();
    }
}

package io.drover.agent.docker;

import static org.assertj.core.api.Assertions.assertThat;

import io.drover.agent.env.Environment;
import io.drover.agent.env.EnvironmentCache;
import io.drover.agent.env.EnvironmentSpec;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Environments built inside the image, with the image's Python and pip, into the agent's cache. */
class ContainerEnvBuilderTest {
    static final Path MIRROR = Path.of("/opt/pypi/simple");

    @TempDir
    Path dir;

    @Test
    void requirementsAreInstalledByTheImagesPipFromTheAgentsIndexAndCached() throws Exception {
        Assumptions.assumeTrue(Files.isDirectory(MIRROR.resolve("appdirs")), "no local package mirror with appdirs at " + MIRROR);
        DockerEngine engine = DockerTestSupport.engine();
        ImageRef image = engine.ensureImage(DockerTestSupport.pythonImage(), PullPolicy.NEVER, l -> { });
        // the agent's build variables name a local folder: it is mounted read-only into the build container
        var builder = new ContainerEnvBuilder(engine, DockerSettings.defaults(), image,
                Map.of("PIP_INDEX_URL", MIRROR.toUri().toString()), "envbuild-agent", "t1");
        EnvironmentCache cache = new EnvironmentCache(dir.resolve("envs"));
        EnvironmentSpec spec = new EnvironmentSpec("appdirs\n", "requirements.txt").withImage(image.id());
        List<String> log = new CopyOnWriteArrayList<>();
        Environment env = cache.get(builder, spec, log::add);

        assertThat(env.cacheHit()).isFalse();
        assertThat(env.installedPackages()).anyMatch(p -> p.startsWith("appdirs=="));
        assertThat(log).anyMatch(l -> l.contains("image Python 3."));
        assertThat(log).anyMatch(l -> l.contains("pip --python " + env.dir().resolve("bin/python") + " install"));
        assertThat(env.dir().resolve("lib/python3.11/site-packages/appdirs.py")).exists();
        assertThat(DockerEngineTest.ids(engine.client(), "envbuild-agent")).as("build container removed").isEmpty();

        Environment again = cache.get(builder, spec, log::add);
        assertThat(again.cacheHit()).isTrue();
        assertThat(again.dir()).isEqualTo(env.dir());
        // another image is another environment
        ImageRef other = new ImageRef(image.name(), "sha256:" + "0".repeat(64), image.env());
        assertThat(EnvironmentCache.key("docker-pip", "default", "appdirs\n", other.id(), null))
                .isNotEqualTo(EnvironmentCache.key("docker-pip", "default", "appdirs\n", image.id(), null));
    }
}

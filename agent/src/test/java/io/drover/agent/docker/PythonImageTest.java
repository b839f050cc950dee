package io.drover.agent.docker;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class PythonImageTest {
    @Test
    void theTestPythonImageIsBuiltThroughTheApi() {
        String image = DockerTestSupport.pythonImage();
        var info = DockerTestSupport.engine().client().inspectImageCmd(image).exec();
        assertThat(info.getSize()).isLessThan(80L * 1024 * 1024);
    }
}

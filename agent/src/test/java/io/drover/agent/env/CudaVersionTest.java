package io.drover.agent.env;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** On the real H100 banner, copied from ../shared/fixtures/nvidia-smi/h100-80gb/nvidia-smi.txt. */
class CudaVersionTest {
    @Test
    void readsTheBannerOfTheRealH100Output() throws Exception {
        Path fixture = Path.of(CudaVersionTest.class.getResource("/env/nvidia-smi-h100.txt").toURI());
        assertThat(CudaVersion.parse(Files.readString(fixture))).isEqualTo("13.0");
    }

    @Test
    void noBannerNoVersion() {
        assertThat(CudaVersion.parse("NVIDIA-SMI has failed because it couldn't communicate with the NVIDIA driver")).isNull();
        assertThat(CudaVersion.parse(null)).isNull();
    }
}

package io.drover.controller.artifacts;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.drover.shared.domain.DroverException;
import io.drover.shared.domain.ErrorCode;
import java.io.IOException;
import org.junit.jupiter.api.Test;

class ArtifactNamesTest {
    @Test
    void acceptsRelativeNamesAndRefusesTheRest() {
        assertThat(ArtifactNames.check("model/weights.pt")).isEqualTo("model/weights.pt");
        assertThat(ArtifactNames.check("a..b/c.txt")).isEqualTo("a..b/c.txt");
        for (String bad : new String[] {"", "../x", "a/../b", "/etc/passwd", "a\\b", "a\u0000b", "a//b", "./a", "a/", "x".repeat(513)}) {
            assertThatThrownBy(() -> ArtifactNames.check(bad)).as(bad).isInstanceOf(DroverException.class)
                    .hasMessageContaining("not allowed");
        }
    }

    @Test
    void decodesPercentEscapesAsUtf8() {
        assertThat(ArtifactNames.fromRawPath("/api/v1/tasks/0123456789abcdef01234567/artifacts/a%2Fb%20c+d%C3%A9.txt",
                "0123456789abcdef01234567")).isEqualTo("a/b c+dé.txt");
        assertThatThrownBy(() -> ArtifactNames.decode("a%zz")).hasMessageContaining("malformed");
    }

    @Test
    void diskFullBecomes507() {
        Throwable t = StorageErrors.map(new RuntimeException(new IOException("No space left on device")), "t", "big.bin");
        assertThat(t).isInstanceOf(DroverException.class);
        assertThat(((DroverException) t).code()).isEqualTo(ErrorCode.INSUFFICIENT_STORAGE);
        assertThat(t.getMessage()).contains("free disk space");
    }

    @Test
    void contentTypeComesFromTheExtension() {
        assertThat(ContentTypes.forName("plots/loss.PNG")).isEqualTo("image/png");
        assertThat(ContentTypes.forName("metrics.csv")).isEqualTo("text/csv");
        assertThat(ContentTypes.forName("Makefile")).isEqualTo("application/octet-stream");
        assertThat(ContentTypes.forName("dir.d/noext")).isEqualTo("application/octet-stream");
    }
}

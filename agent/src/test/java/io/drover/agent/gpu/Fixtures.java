package io.drover.agent.gpu;

import java.net.URISyntaxException;
import java.nio.file.Path;

/**
 * The real nvidia-smi outputs of an H100 box, copied byte for byte from
 * {@code ../shared/fixtures/nvidia-smi/h100-80gb/} into the test resources so the tests run
 * without the shared folder.
 */
public final class Fixtures {
    public static final Path H100 = find();

    private Fixtures() {}

    private static Path find() {
        try {
            return Path.of(Fixtures.class.getResource("/nvidia-smi/h100-80gb/query-gpu-idle.csv").toURI()).getParent();
        } catch (URISyntaxException | NullPointerException e) {
            throw new IllegalStateException("test resource nvidia-smi/h100-80gb missing", e);
        }
    }
}

package io.drover.controller.testing;

import io.drover.controller.config.ControllerConfig;
import io.drover.shared.domain.Ids;
import java.nio.file.Path;

/**
 * Controller config for API tests: the embedded store in {@code dir}, or a real MongoDB when
 * {@code DROVER_TEST_MONGO_URI} is set (then each call gets a fresh database, so tests do not see
 * each other's data).
 */
public final class TestConfig {
    private TestConfig() {}

    public static ControllerConfig forTest(Path dir) {
        ControllerConfig c = ControllerConfig.defaults().withPort(0).withDataDir(dir);
        String uri = System.getenv("DROVER_TEST_MONGO_URI");
        if (uri == null || uri.isBlank()) return c;
        return c.withMongoUri(withDatabase(uri.trim(), "drover_test_" + Ids.newId()));
    }

    /** {@code mongodb://h:1/?x=y} + db → {@code mongodb://h:1/db?x=y}. */
    static String withDatabase(String uri, String db) {
        int scheme = uri.indexOf("://") + 3;
        int q = uri.indexOf('?', scheme);
        String head = q < 0 ? uri : uri.substring(0, q);
        String query = q < 0 ? "" : uri.substring(q);
        int slash = head.indexOf('/', scheme);
        String hosts = slash < 0 ? head : head.substring(0, slash);
        return hosts + "/" + db + query;
    }
}

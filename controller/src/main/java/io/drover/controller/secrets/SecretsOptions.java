package io.drover.controller.secrets;

import io.drover.controller.config.ControllerConfig;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/** The controller's {@code --secrets-key-file} flag (a picocli mixin of {@code ControllerMain}). */
public final class SecretsOptions {
    @Option(names = "--secrets-key-file", paramLabel = "FILE",
            description = "Key of the secrets vault: a file holding base64 of 32 random bytes (or env " + SecretsKey.ENV
                    + " with that text). Default: DATA/" + SecretsKey.DEFAULT_FILE + ", generated on first start. Back it up.")
    Path keyFile;

    public ControllerConfig apply(ControllerConfig c) {
        return keyFile == null ? c : c.withSecretsKeyFile(keyFile);
    }
}

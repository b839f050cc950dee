package io.drover.agent.cli.access;

import io.drover.agent.cli.ClientCommand;
import io.drover.agent.cli.ExitCodes;
import io.drover.agent.config.ClientConfig;
import io.drover.agent.config.ConfigFile;
import io.drover.shared.client.ApiClient;
import io.drover.shared.domain.DroverException;
import io.drover.shared.domain.ErrorCode;
import java.nio.file.Path;
import picocli.CommandLine.Command;

/** {@code drover logout}: revokes the key {@code drover login} stored and removes it from the config file. */
@Command(name = "logout", mixinStandardHelpOptions = true,
        description = "Revoke the API key stored by 'drover login' and remove it from $DROVER_HOME/config.json.")
public final class LogoutCommand extends ClientCommand {
    @Override
    public Integer call() {
        Path file = ClientConfig.configFile(env());
        String key = ConfigFile.read(file).path(ClientConfig.KEY_API).asText("");
        if (key.isBlank()) {
            out().println("Not logged in: " + file + " holds no API key.");
            return ExitCodes.OK;
        }
        String id = ApiKeys.idOf(key);
        String note;
        try {
            if (id == null) throw new DroverException(ErrorCode.BAD_REQUEST, "not a Drover API key");
            new ApiClient(controllerUrl(), key).delete(V1 + "/keys/" + id);
            note = "revoked API key " + id;
        } catch (DroverException e) {
            if (e.code() != ErrorCode.UNAUTHORIZED && e.code() != ErrorCode.NOT_FOUND && e.code() != ErrorCode.BAD_REQUEST) {
                // e.g. the controller is down: keep the key so that logout can be retried
                throw new DroverException(e.code(), "could not revoke the stored key (" + e.getMessage()
                        + "); it is still in " + file + ": run 'drover logout' again once the controller answers");
            }
            note = "the stored key was no longer valid (" + e.getMessage() + ")";
        }
        ConfigFile.update(file, o -> o.remove(ClientConfig.KEY_API));
        out().println("Logged out: " + note + " and removed it from " + file + ".");
        return ExitCodes.OK;
    }
}

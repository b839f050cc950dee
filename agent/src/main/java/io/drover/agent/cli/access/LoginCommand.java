package io.drover.agent.cli.access;

import com.fasterxml.jackson.databind.JsonNode;
import io.drover.agent.cli.ClientCommand;
import io.drover.agent.cli.ExitCodes;
import io.drover.agent.config.ClientConfig;
import io.drover.agent.config.ConfigFile;
import io.drover.shared.client.ApiClient;
import io.drover.shared.domain.DroverException;
import java.net.InetAddress;
import java.nio.file.Path;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code drover login}: user name and password once, then an API key for this machine kept in
 * {@code $DROVER_HOME/config.json} (0600). The password is never stored.
 */
@Command(name = "login", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Log in with a user name and password and keep an API key for this machine in $DROVER_HOME/config.json.",
                "The password is asked for without echo (or read from stdin with --password-stdin) and never stored."})
public final class LoginCommand extends ClientCommand {
    @Option(names = "--username", paramLabel = "USER", description = "User name (default: asked for on the terminal).")
    String username;

    @Option(names = "--password-stdin", description = "Read the password from the first line of stdin instead of asking.")
    boolean passwordStdin;

    @Override
    public Integer call() {
        String url = controllerUrl();
        String user = username != null ? username.strip() : SecretInput.readLine(root(), "user name");
        if (user == null || user.isEmpty()) throw usage("give --username USER (there is no terminal to ask on)");
        String password = passwordStdin ? SecretInput.firstLine(root(), "password")
                : SecretInput.prompt(root(), "password for " + user + " at " + url, false, "--password-stdin");

        BrowserSession session = BrowserSession.login(url, user, password);
        JsonNode created;
        try {
            created = session.api().post(V1 + "/keys", Map.of("name", "cli@" + hostname())).orElseThrow();
        } finally {
            session.logout();
        }
        String key = created.path("key").asText();
        Path file = ClientConfig.configFile(env());
        String previous = ConfigFile.read(file).path(ClientConfig.KEY_API).asText(null);
        ConfigFile.update(file, o -> {
            o.put(ClientConfig.KEY_CONTROLLER, url);
            o.put(ClientConfig.KEY_API, key);
        });
        ApiClient api = new ApiClient(url, key);
        revokeReplaced(api, previous, created.path("id").asText());
        JsonNode me = api.get(V1 + "/auth/me");
        out().println("Logged in to " + url + " as " + WhoamiCommand.describe(me) + ".");
        out().println("API key " + created.path("id").asText() + " (" + created.path("name").asText() + ") stored in " + file
                + " (readable only by you); 'drover logout' revokes it.");
        return ExitCodes.OK;
    }

    /** A second login on the same machine replaces the key of the first instead of piling keys up. */
    private void revokeReplaced(ApiClient api, String previousKey, String newId) {
        String old = ApiKeys.idOf(previousKey);
        if (old == null || old.equals(newId)) return;
        try {
            api.delete(V1 + "/keys/" + old);
        } catch (DroverException ignored) {
            // already revoked, another controller's key, or another user's: not ours to insist on
        }
    }

    static String hostname() {
        try {
            String h = InetAddress.getLocalHost().getHostName();
            if (h != null && !h.isBlank()) return h;
        } catch (java.io.IOException ignored) {
            // fall through
        }
        return System.getenv().getOrDefault("HOSTNAME", "localhost");
    }
}

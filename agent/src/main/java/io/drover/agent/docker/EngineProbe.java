package io.drover.agent.docker;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.StandardProtocolFamily;
import java.net.URI;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * Whether a Docker engine could be listening at a {@code DOCKER_HOST}-style address, found out
 * with one plain connect and no Docker client: on the many agents without Docker, the start-up
 * clean-up then skips quietly instead of letting docker-java's HTTP client try (and log its
 * retries of) a socket that is not there.
 */
final class EngineProbe {
    private static final int TCP_CONNECT_MS = 1000;

    private EngineProbe() {}

    /**
     * Why nothing can answer at {@code host} (no socket file, a refused connect), or empty when a
     * connect succeeded or the address is of a kind this probe does not know (the client decides).
     */
    static Optional<String> unreachable(String host) {
        URI uri;
        try {
            uri = URI.create(host);
        } catch (IllegalArgumentException e) {
            return Optional.empty(); // the client reports a bad address with its own words
        }
        String scheme = uri.getScheme() == null ? "" : uri.getScheme();
        switch (scheme) {
            case "unix" -> {
                Path socket = Path.of(uri.getPath());
                if (!Files.exists(socket)) return Optional.of("no socket at " + socket);
                try (SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX)) {
                    ch.connect(UnixDomainSocketAddress.of(socket));
                    return Optional.empty();
                } catch (IOException | UnsupportedOperationException e) {
                    return Optional.of("the socket " + socket + " refuses connections (" + e.getMessage() + ")");
                }
            }
            case "tcp", "http", "https" -> {
                if (uri.getHost() == null) return Optional.empty();
                int port = uri.getPort() > 0 ? uri.getPort() : "https".equals(scheme) ? 2376 : 2375;
                try (Socket s = new Socket()) {
                    s.connect(new InetSocketAddress(uri.getHost(), port), TCP_CONNECT_MS);
                    return Optional.empty();
                } catch (IOException e) {
                    return Optional.of(uri.getHost() + ":" + port + " does not accept connections (" + e.getMessage() + ")");
                }
            }
            default -> {
                return Optional.empty();
            }
        }
    }
}

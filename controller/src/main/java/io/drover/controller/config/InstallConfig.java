package io.drover.controller.config;

import java.net.URI;
import java.nio.file.Path;
import java.util.Map;

/**
 * What the controller offers GPU boxes under {@code /install/}.
 *
 * @param agentBundle the self-contained Linux x64 agent bundle ({@code scripts/build-agent-bundle.sh}
 *                    makes it), or null: then {@code /install/agent.sh} still answers but tells how to
 *                    provide one
 * @param publicUrl   the URL agents reach this controller at, written into the install script; null =
 *                    taken from each request (scheme and {@code Host} header), which is right unless a
 *                    proxy rewrites them
 */
public record InstallConfig(Path agentBundle, String publicUrl) {
    public static final InstallConfig NONE = new InstallConfig(null, null);

    public InstallConfig {
        if (publicUrl != null) {
            publicUrl = publicUrl.strip();
            while (publicUrl.endsWith("/")) publicUrl = publicUrl.substring(0, publicUrl.length() - 1);
            if (publicUrl.isEmpty()) {
                publicUrl = null;
            } else {
                URI u;
                try {
                    u = URI.create(publicUrl);
                } catch (IllegalArgumentException e) {
                    throw new IllegalArgumentException("public URL '" + publicUrl + "' is not a URL: give e.g. http://drover.lan:8080");
                }
                if (!"http".equals(u.getScheme()) && !"https".equals(u.getScheme()) || u.getHost() == null) {
                    throw new IllegalArgumentException("public URL '" + publicUrl + "' must be http:// or https:// with a host, e.g. http://drover.lan:8080");
                }
            }
        }
    }

    /** {@code DROVER_AGENT_BUNDLE}, {@code DROVER_PUBLIC_URL}. */
    public static InstallConfig fromEnv(Map<String, String> env) {
        String b = env.get("DROVER_AGENT_BUNDLE");
        return new InstallConfig(b == null || b.isBlank() ? null : Path.of(b), env.get("DROVER_PUBLIC_URL"));
    }

    public InstallConfig withAgentBundle(Path v) {
        return new InstallConfig(v, publicUrl);
    }

    public InstallConfig withPublicUrl(String v) {
        return new InstallConfig(agentBundle, v);
    }
}

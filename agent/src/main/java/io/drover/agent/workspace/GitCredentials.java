package io.drover.agent.workspace;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import org.eclipse.jgit.transport.CredentialsProvider;
import org.eclipse.jgit.transport.UsernamePasswordCredentialsProvider;

/**
 * A token for http(s) clones and fetches of a task's repository (the project's {@code GIT_TOKEN}
 * secret). It travels only in memory to JGit's credentials provider, as the password of user
 * {@value #USER} (accepted by GitHub, and by GitLab and Gitea for personal access tokens): never
 * in the repository URL, in {@code .git/config} or in a message.
 */
public record GitCredentials(String token) {
    public static final String USER = "x-access-token";
    public static final GitCredentials NONE = new GitCredentials(null);

    public GitCredentials {
        if (token != null && token.isEmpty()) token = null;
    }

    public boolean present() {
        return token != null;
    }

    /** JGit's provider for {@code url}, or null: only {@link #sentTo} remotes get the token. */
    CredentialsProvider provider(String url) {
        return token == null || !sentTo(url) ? null : new UsernamePasswordCredentialsProvider(USER, token);
    }

    /**
     * https remotes, and plain http only on this machine's loopback (a local mirror or test server):
     * a token sent in clear over a network would be readable by anyone on the path.
     */
    static boolean sentTo(String url) {
        if (url.startsWith("https://")) return true;
        if (!url.startsWith("http://")) return false;
        try {
            String host = java.net.URI.create(url).getHost();
            return host != null && (host.equals("localhost") || host.equals("127.0.0.1") || host.equals("[::1]") || host.equals("::1"));
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    /**
     * Part of the mirror's cache key: a repository fetched with a token is cached apart from the
     * same URL fetched without one, so a task without the token can never be served private code
     * that another project's token brought onto this machine.
     */
    String cacheSalt() {
        if (token == null) return "";
        try {
            byte[] d = MessageDigest.getInstance("SHA-256").digest(("drover git token\n" + token).getBytes(StandardCharsets.UTF_8));
            return "\ntoken:" + HexFormat.of().formatHex(d, 0, 8);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** {@code text} with the token replaced by {@code ***}. */
    String mask(String text) {
        return token == null || text == null ? text : text.replace(token, "***");
    }

    @Override
    public String toString() {
        return token == null ? "GitCredentials[none]" : "GitCredentials[token ***]";
    }
}

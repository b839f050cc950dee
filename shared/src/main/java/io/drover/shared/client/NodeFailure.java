package io.drover.shared.client;

import io.drover.shared.domain.ErrorCode;
import java.io.IOException;
import java.net.ConnectException;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpTimeoutException;

/**
 * A node that could not serve a request: another node may. {@link #neverSent} says the request
 * cannot have reached the node (no connection was made), so sending it elsewhere is always safe.
 */
public final class NodeFailure extends Exception {
    private final boolean neverSent;
    private final ErrorCode code;

    private NodeFailure(String why, boolean neverSent, ErrorCode code, Throwable cause) {
        super(why, cause, false, false);
        this.neverSent = neverSent;
        this.code = code;
    }

    /** Statuses a load balancer or a controller that cannot serve right now answers with. */
    public static boolean nodeDownStatus(int status) {
        return status == 502 || status == 503 || status == 504;
    }

    /** What an I/O failure means: refused or timed-out connects never reached the node. */
    public static NodeFailure of(IOException e) {
        if (e instanceof HttpConnectTimeoutException) return new NodeFailure("connect timed out", true, null, e);
        if (e instanceof ConnectException) {
            boolean unknownHost = e.getCause() instanceof java.nio.channels.UnresolvedAddressException;
            return new NodeFailure(unknownHost ? "unknown host" : "connection refused", true, null, e);
        }
        if (e instanceof HttpTimeoutException) return new NodeFailure("no answer in time", false, null, e);
        String m = e.getMessage();
        return new NodeFailure(m == null || m.isBlank() ? e.getClass().getSimpleName() : m, false, null, e);
    }

    /** A 502/503/504: the node (or the proxy before it) may have got the request. */
    public static NodeFailure status(int status, ErrorCode code, String message) {
        return new NodeFailure(message, false, code, null);
    }

    public boolean neverSent() {
        return neverSent;
    }

    /** The server's error code for an HTTP answer; null for a connection that failed. */
    public ErrorCode code() {
        return code;
    }

    public String why() {
        return getMessage();
    }
}

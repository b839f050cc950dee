package io.drover.shared.client;

import io.drover.shared.domain.DroverException;
import io.drover.shared.domain.ErrorCode;
import java.net.URI;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The controllers a client may talk to ({@code --controller URL[,URL...]}) and which one it talks
 * to now. Sticky: every request goes to the current node; only a request that finds it down tries
 * the others in order, and the first that answers becomes the current node for everyone sharing
 * this object (the agent's heartbeat, claim and control threads), so a switch is logged once, not
 * once per request.
 *
 * <p>What may be sent again to another node is the caller's call ({@code resendable}): a request
 * that never reached a node (connection refused, connect timeout) always may; one that may have
 * been applied before the node died (reset, no answer, 502/503/504) only when it is idempotent by
 * design. Otherwise the caller gets the error and decides, so a task is never created twice.
 *
 * <p>When every node fails the call throws at once, naming each node and why; the callers' own
 * loops back off (the agent's jittered backoff, {@code drover logs --follow}'s outage wait).
 */
public final class ControllerNodes {
    private static final Logger LOG = LoggerFactory.getLogger(ControllerNodes.class);

    /** One try of a request on one node. */
    @FunctionalInterface
    public interface Attempt<T> {
        T send(URI node) throws NodeFailure, InterruptedException;
    }

    private final List<URI> nodes;
    private final AtomicInteger current = new AtomicInteger();
    /** Every node failed on the last call: said once, cleared (and said) by the next success. */
    private final AtomicBoolean allDown = new AtomicBoolean();

    private ControllerNodes(List<URI> nodes) {
        this.nodes = List.copyOf(nodes);
    }

    /**
     * Parses {@code http://a:8080,http://b:8080} (blanks around commas and a trailing slash are
     * ignored, a repeated URL counts once).
     *
     * @throws IllegalArgumentException naming the entry that is not an http(s) URL with a host
     */
    public static ControllerNodes parse(String urls) {
        if (urls == null || urls.isBlank()) throw new IllegalArgumentException("no controller URL given");
        Set<URI> out = new LinkedHashSet<>();
        for (String part : urls.split(",")) {
            String u = part.strip();
            if (u.isEmpty()) continue;
            while (u.endsWith("/")) u = u.substring(0, u.length() - 1);
            URI uri;
            try {
                uri = URI.create(u);
            } catch (IllegalArgumentException e) {
                uri = null;
            }
            if (uri == null || !("http".equals(uri.getScheme()) || "https".equals(uri.getScheme())) || uri.getHost() == null) {
                throw new IllegalArgumentException("controller URL '" + part.strip()
                        + "' is not an http:// or https:// URL with a host; use e.g. http://127.0.0.1:8080"
                        + " (several controllers: comma-separated)");
            }
            out.add(uri);
        }
        if (out.isEmpty()) throw new IllegalArgumentException("no controller URL given");
        return new ControllerNodes(new ArrayList<>(out));
    }

    public List<URI> all() {
        return nodes;
    }

    /** The node requests go to now. */
    public URI current() {
        return nodes.get(Math.floorMod(current.get(), nodes.size()));
    }

    /** The URLs comma-separated, as given on the command line. */
    @Override
    public String toString() {
        return String.join(",", nodes.stream().map(URI::toString).toList());
    }

    /**
     * Sends on the current node, then on the next ones while a node is down and the request may
     * be sent again.
     *
     * @param resendable the request may reach a node twice without a visible effect (idempotent
     *                   by design); a request that never reached a node is re-sent regardless
     */
    public <T> T call(boolean resendable, Attempt<T> attempt) throws InterruptedException {
        int start = current.get();
        List<String> failures = new ArrayList<>();
        NodeFailure last = null;
        int answered = 0;
        for (int k = 0; k < nodes.size(); k++) {
            int i = Math.floorMod(start + k, nodes.size());
            URI node = nodes.get(i);
            try {
                T result = attempt.send(node);
                succeeded(start, i, failures);
                return result;
            } catch (NodeFailure f) {
                last = f;
                if (f.code() != null) answered++;
                failures.add(node + " (" + f.why() + ")");
                if (!f.neverSent() && !resendable) throw notResent(node, f);
            }
        }
        throw allFailed(failures, last, answered);
    }

    private void succeeded(int start, int i, List<String> failures) {
        if (i != Math.floorMod(start, nodes.size()) && current.compareAndSet(start, i)) {
            LOG.warn("controller {} is not answering ({}); switched to {}", nodes.get(Math.floorMod(start, nodes.size())),
                    String.join("; ", failures), nodes.get(i));
            allDown.set(false);
        } else if (allDown.compareAndSet(true, false)) {
            LOG.warn("controller {} answers again", nodes.get(i));
        }
    }

    private DroverException notResent(URI node, NodeFailure f) {
        return new DroverException(f.code() == null ? ErrorCode.UNAVAILABLE : f.code(), "the controller at " + node
                + " failed during the request (" + f.why() + "); it may or may not have been applied, so it was not sent"
                + " again" + (nodes.size() > 1 ? " to another controller" : "") + ": check (e.g. 'drover ls') before retrying");
    }

    private DroverException allFailed(List<String> failures, NodeFailure last, int answered) {
        if (nodes.size() > 1 && allDown.compareAndSet(false, true)) {
            LOG.warn("no controller reachable: {}", String.join(", ", failures));
        }
        if (nodes.size() == 1) {
            // one node: what it said (a 503's own message), as before several nodes existed
            if (last.code() != null) return new DroverException(last.code(), last.why());
            return new DroverException(ErrorCode.UNAVAILABLE, "cannot reach the controller at " + nodes.get(0) + " ("
                    + last.why() + "); is it running? start one with 'drover up' or set --controller / DROVER_CONTROLLER");
        }
        if (answered == failures.size()) {
            // every node answered, each with a 502/503/504 (e.g. the store is down behind all of them)
            return new DroverException(ErrorCode.UNAVAILABLE, "no controller could serve the request: " + String.join(", ", failures)
                    + "; try again later");
        }
        return new DroverException(ErrorCode.UNAVAILABLE, "no controller reachable: " + String.join(", ", failures)
                + "; are they running? check --controller / DROVER_CONTROLLER");
    }
}

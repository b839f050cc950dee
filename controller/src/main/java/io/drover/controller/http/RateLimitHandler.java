package io.drover.controller.http;

import io.drover.shared.domain.ErrorCode;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.net.SocketAddress;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Set;
import java.util.function.Function;

/**
 * Per-credential write rate limit (docs/API.md "Limits"): every POST/PUT/PATCH/DELETE under
 * {@code /api/v1} takes a token from the caller's bucket in a {@link RateLimiter}; an empty bucket
 * is answered 429 {@code too_many_requests} with {@code Retry-After}, before the body is read.
 * Reads are not limited.
 *
 * <p>The key is the credential the request presents: the API key's public id
 * ({@code Bearer drk_<id>_…}), else a hash of the session cookie, else the client IP. It is taken
 * from the request itself because this handler runs before the route's authentication: a forged
 * key id gets its own bucket but is refused with 401 by authentication right after.
 */
public final class RateLimitHandler implements ApiResource {
    /** Before every route, right after the metrics binding. */
    static final int ORDER = -999_000;
    private static final Set<HttpMethod> WRITES = Set.of(HttpMethod.POST, HttpMethod.PUT, HttpMethod.PATCH, HttpMethod.DELETE);
    private static final String KEY_PREFIX = "drk_";
    static final String SESSION_COOKIE = "drover_session";

    private final RateLimiter limiter;
    private final double rate;
    private final int burst;
    private final Function<RoutingContext, String> keyOf;

    public RateLimitHandler(double ratePerSecond, int burst) {
        this(new RateLimiter(ratePerSecond, burst), ratePerSecond, burst, RateLimitHandler::credentialKey);
    }

    RateLimitHandler(RateLimiter limiter, double rate, int burst, Function<RoutingContext, String> keyOf) {
        this.limiter = limiter;
        this.rate = rate;
        this.burst = burst;
        this.keyOf = keyOf;
    }

    @Override
    public void mount(Router api) {
        api.route().order(ORDER).handler(this::handle);
    }

    void handle(RoutingContext ctx) {
        if (!WRITES.contains(ctx.request().method())) {
            ctx.next();
            return;
        }
        long wait = limiter.acquire(keyOf.apply(ctx));
        if (wait == 0) {
            ctx.next();
            return;
        }
        long seconds = RateLimiter.retryAfterSeconds(wait);
        ctx.response().putHeader("Retry-After", Long.toString(seconds));
        Http.error(ctx, ErrorCode.TOO_MANY_REQUESTS, "too many write requests from this credential (limit "
                + fmt(rate) + "/s, bursts of " + burst + "); retry after " + seconds + " s");
    }

    private static String fmt(double d) {
        return d == Math.rint(d) ? Long.toString((long) d) : Double.toString(d);
    }

    /** {@code key:<id>}, {@code session:<hash>} or {@code ip:<address>}. */
    static String credentialKey(RoutingContext ctx) {
        String auth = ctx.request().getHeader("Authorization");
        if (auth != null && auth.regionMatches(true, 0, "Bearer ", 0, 7)) {
            String token = auth.substring(7).trim();
            if (token.startsWith(KEY_PREFIX)) {
                int end = token.indexOf('_', KEY_PREFIX.length());
                if (end > KEY_PREFIX.length() && end - KEY_PREFIX.length() <= 64) {
                    return "key:" + token.substring(KEY_PREFIX.length(), end);
                }
            }
            return "token:" + sha256(token);
        }
        io.vertx.core.http.Cookie c = ctx.request().getCookie(SESSION_COOKIE);
        if (c != null && !c.getValue().isEmpty()) return "session:" + sha256(c.getValue());
        return "ip:" + ip(ctx);
    }

    static String ip(RoutingContext ctx) {
        SocketAddress a = ctx.request().remoteAddress();
        return a == null ? "unknown" : a.hostAddress();
    }

    private static String sha256(String s) {
        try {
            byte[] h = MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(h, 0, 16);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}

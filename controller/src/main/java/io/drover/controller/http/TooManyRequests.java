package io.drover.controller.http;

import io.drover.shared.domain.DroverException;
import io.drover.shared.domain.ErrorCode;

/**
 * 429 {@code too_many_requests}: {@link Http#error} adds {@code Retry-After} with
 * {@link #retryAfterSeconds()}, so code on the store pool can simply throw it.
 */
public final class TooManyRequests extends DroverException {
    private final long retryAfterSeconds;

    public TooManyRequests(String message, long retryAfterSeconds) {
        super(ErrorCode.TOO_MANY_REQUESTS, message);
        this.retryAfterSeconds = Math.max(1, retryAfterSeconds);
    }

    public long retryAfterSeconds() {
        return retryAfterSeconds;
    }
}

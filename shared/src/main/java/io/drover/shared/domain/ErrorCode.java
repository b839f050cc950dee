package io.drover.shared.domain;

/** Error codes of the API's {@code {"error":{"code","message"}}} body, with their HTTP status. */
public enum ErrorCode {
    BAD_REQUEST(400), UNAUTHORIZED(401), FORBIDDEN(403), NOT_FOUND(404), CONFLICT(409),
    STALE_LEASE(409), PAYLOAD_TOO_LARGE(413), UNSUPPORTED_MEDIA_TYPE(415), TOO_MANY_REQUESTS(429),
    INTERNAL(500), UNAVAILABLE(503), INSUFFICIENT_STORAGE(507);

    private final int http;

    ErrorCode(int http) {
        this.http = http;
    }

    public int http() {
        return http;
    }

    public String wire() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}

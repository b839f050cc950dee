package io.drover.controller.http;

/**
 * A response with a status other than 200, returned from a {@link Http#blocking} callable.
 * {@code body} null → no body (e.g. 204).
 */
public record Reply(int status, Object body) {
    public static Reply created(Object body) {
        return new Reply(201, body);
    }

    public static Reply noContent() {
        return new Reply(204, null);
    }
}

package io.drover.shared.domain;

/** An error a caller can act on: carries the API error code and a message that says what to do. */
public class DroverException extends RuntimeException {
    private final ErrorCode code;

    public DroverException(ErrorCode code, String message) {
        super(message);
        this.code = code;
    }

    public ErrorCode code() {
        return code;
    }

    public static DroverException notFound(String what, String id) {
        return new DroverException(ErrorCode.NOT_FOUND, what + " '" + id + "' not found");
    }

    public static DroverException badRequest(String message) {
        return new DroverException(ErrorCode.BAD_REQUEST, message);
    }

    public static DroverException conflict(String message) {
        return new DroverException(ErrorCode.CONFLICT, message);
    }

    public static DroverException staleLease(String taskId, long epoch) {
        return new DroverException(ErrorCode.STALE_LEASE, "lease epoch " + epoch + " of task '" + taskId
                + "' is no longer current: the task was requeued or finished; abandon it");
    }
}

package slice.train.serve;

/**
 * A request the server answers with an error status and {@code {"error": message}}: the message is written for the
 * client (no stack trace, no server path). {@code retryAfterSeconds} > 0 adds {@code Retry-After}, {@code allow} an
 * {@code Allow} header (405).
 */
final class HttpError extends RuntimeException {
    final int status;
    final int retryAfterSeconds;
    final String allow;

    HttpError(int status, String message) {
        this(status, message, 0, null);
    }

    HttpError(int status, String message, int retryAfterSeconds, String allow) {
        super(message, null, false, false);
        this.status = status;
        this.retryAfterSeconds = retryAfterSeconds;
        this.allow = allow;
    }

    static HttpError badRequest(String message) {
        return new HttpError(400, message);
    }

    static HttpError notFound(String message) {
        return new HttpError(404, message);
    }

    static HttpError busy() {
        return new HttpError(503, "busy: every worker is taken and the queue is full; retry shortly", 1, null);
    }

    static HttpError methodNotAllowed(String allow) {
        return new HttpError(405, "method not allowed here (allowed: " + allow + ")", 0, allow);
    }
}

package dev.lambdalab.testbed.load;

/**
 * One request of a run, as the caller saw it.
 *
 * @param startMillis when it was sent, since the run began
 * @param latencyMicros how long the answer took
 * @param kind how it ended
 * @param cause for {@link Kind#ERROR}: the classified cause from the answer's body ({@code ROLE_CONNECTION_LIMIT},
 *     ...) or the Lambda error ({@code TIMEOUT}, {@code INIT_ERROR}, {@code FUNCTION_ERROR}); else {@code null}
 * @param detail for a pool timeout the cause behind it ({@code POOL_TIMEOUT (ROLE_CONNECTION_LIMIT)}); else the cause
 * @param status the HTTP status the caller got (429 for a throttle, 502/504 for Lambda errors as API Gateway maps them)
 * @param environmentId the environment that served it, or {@code null}
 * @param backendPid the PostgreSQL backend that served it, or 0
 */
public record RequestRecord(long startMillis, long latencyMicros, Kind kind, String cause, String detail, int status,
        String environmentId, int backendPid) {

    /** How a request ended. */
    public enum Kind {
        /** 2xx. */
        OK,
        /** Refused by Lambda: concurrency exhausted. */
        THROTTLED,
        /** 4xx from the handler: the request was bad (never expected from the load driver). */
        BAD_REQUEST,
        /** 5xx from the handler, or a Lambda error (timeout, init error, unhandled exception). */
        ERROR
    }
}

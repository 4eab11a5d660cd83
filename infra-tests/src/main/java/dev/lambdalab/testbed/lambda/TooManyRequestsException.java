package dev.lambdalab.testbed.lambda;

/**
 * What Lambda answers a synchronous invocation when the function's concurrency is exhausted: HTTP 429,
 * {@code TooManyRequestsException: Rate Exceeded.}, with the reason. The emulator answers at once,
 * without queueing, as Lambda does for synchronous calls.
 */
public final class TooManyRequestsException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    /** Reason when the function's reserved concurrency is in use. */
    public static final String RESERVED = "ReservedFunctionConcurrentInvocationLimitExceeded";
    /** Reason when the account's unreserved concurrency is in use. */
    public static final String ACCOUNT = "ConcurrentInvocationLimitExceeded";

    private final String reason;

    TooManyRequestsException(String reason) {
        super("Rate Exceeded.", null, false, false); // no stack trace: a throttle is an answer, not a bug
        this.reason = reason;
    }

    public String reason() {
        return reason;
    }

    public int statusCode() {
        return 429;
    }
}

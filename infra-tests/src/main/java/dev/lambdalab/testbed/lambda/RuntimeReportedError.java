package dev.lambdalab.testbed.lambda;

/**
 * An error a process environment's runtime client reported through the Runtime API (an invocation
 * error, or an init error), with the type it gave, such as {@code java.lang.IllegalStateException} or
 * {@code Runtime.ExitError}.
 */
final class RuntimeReportedError extends RuntimeException {

    private static final long serialVersionUID = 1L;

    private final String errorType;

    RuntimeReportedError(String errorType, String message) {
        super(message);
        this.errorType = errorType == null || errorType.isBlank() ? LambdaErrorType.RUNTIME_UNKNOWN.text() : errorType;
    }

    /** One of Lambda's own errors. */
    RuntimeReportedError(LambdaErrorType errorType, String message) {
        this(errorType.text(), message);
    }

    String errorType() {
        return errorType;
    }
}

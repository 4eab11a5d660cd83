package dev.lambdalab.testbed.lambda.sandbox;

/**
 * An error a process environment's runtime client reported through the Runtime API (an invocation
 * error, or an init error), with the type it gave, such as {@code java.lang.IllegalStateException} or
 * {@code Runtime.ExitError}.
 */
public final class RuntimeReportedError extends RuntimeException {

    private static final long serialVersionUID = 1L;

    private final String errorType;

    public RuntimeReportedError(String errorType, String message) {
        super(message);
        this.errorType = errorType == null || errorType.isBlank() ? LambdaErrorType.RUNTIME_UNKNOWN.text() : errorType;
    }

    /** One of Lambda's own errors. */
    public RuntimeReportedError(LambdaErrorType errorType, String message) {
        this(errorType.text(), message);
    }

    public String errorType() {
        return errorType;
    }
}

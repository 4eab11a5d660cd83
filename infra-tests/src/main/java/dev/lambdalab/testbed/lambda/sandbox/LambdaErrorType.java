package dev.lambdalab.testbed.lambda.sandbox;

/**
 * The error types Lambda itself reports, as its logs, the Invoke API's {@code X-Amz-Function-Error} body and the
 * runtime client's {@code /init/error} use them ("Lambda runtime API", "Troubleshoot invocation issues" in the Lambda
 * Developer Guide). A handler's own exception is reported under its class name instead, which is not here.
 */
public enum LambdaErrorType {
    /** The invocation or the init ran past its time limit. */
    SANDBOX_TIMEDOUT("Sandbox.Timedout"),
    /** The runtime process exited during an invocation or init. */
    RUNTIME_EXIT_ERROR("Runtime.ExitError"),
    /** The runtime could not start. */
    RUNTIME_START_ERROR("Runtime.StartError"),
    /** A SnapStart snapshot could not be restored. */
    RUNTIME_RESTORE_ERROR("Runtime.RestoreError"),
    /** Init failed (reported by the runtime, or no environment could finish it). */
    RUNTIME_INIT_ERROR("Runtime.InitError"),
    /** The runtime reported an error without a type. */
    RUNTIME_UNKNOWN("Runtime.Unknown");

    private final String text;

    LambdaErrorType(String text) {
        this.text = text;
    }

    /** As Lambda writes it. */
    public String text() {
        return text;
    }

    @Override
    public String toString() {
        return text;
    }
}

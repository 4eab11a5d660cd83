package dev.lambdalab.testbed.lambda;

import java.time.Duration;

/**
 * The outcome of one synchronous invocation, as the caller of Lambda's Invoke API would see it, plus
 * what only the emulator knows: which environment served it and whether it was a cold start.
 *
 * @param requestId the request id given to the handler's Context
 * @param outcome how it ended
 * @param response the handler's return value when {@link Outcome#SUCCESS}, else {@code null}
 * @param errorType for errors: the exception class ({@code Sandbox.Timedout} for a timeout,
 *     {@code TooManyRequestsException} for a throttle), else {@code null}
 * @param errorMessage for errors: Lambda's message, such as {@code Task timed out after 2.00 seconds}
 * @param environmentId the environment that served it, {@code null} when throttled
 * @param coldStart true when the environment was created for this invocation
 * @param initDuration the environment's init duration when cold, else {@link Duration#ZERO}
 * @param duration time in the handler (init excluded, as Lambda's Duration)
 */
public record Invocation(String requestId, Outcome outcome, Object response, String errorType, String errorMessage,
        String environmentId, boolean coldStart, Duration initDuration, Duration duration) {

    /** How an invocation ended. */
    public enum Outcome {
        /** The handler returned. An HTTP 503 in its answer is still a success for Lambda. */
        SUCCESS,
        /** Refused at once: concurrency exhausted (HTTP 429). */
        THROTTLED,
        /** The handler ran past the function timeout; its environment was discarded. */
        TIMED_OUT,
        /** The handler threw. */
        FUNCTION_ERROR,
        /** The environment failed to initialise (class init or constructor threw, or init timed out). */
        INIT_ERROR
    }

    public boolean succeeded() {
        return outcome == Outcome.SUCCESS;
    }
}

package dev.lambdalab.testbed.lambda;

import java.time.Duration;
import java.util.Objects;

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

    /**
     * Where an invocation ran: the environment, whether it was started for it, and how long its init took.
     *
     * @param environmentId the environment's id
     * @param coldStart true when the environment was created for this invocation
     * @param initDuration its init duration when cold, else {@link Duration#ZERO}
     */
    public record Served(String environmentId, boolean coldStart, Duration initDuration) {
        public Served {
            Objects.requireNonNull(environmentId, "environmentId");
            Objects.requireNonNull(initDuration, "initDuration");
        }
    }

    /** The handler returned {@code response} after {@code duration}. */
    public static Invocation success(String requestId, Served served, Object response, Duration duration) {
        return new Invocation(requestId, Outcome.SUCCESS, response, null, null, served.environmentId(),
                served.coldStart(), served.initDuration(), duration);
    }

    /** Refused at once: no environment, no time spent. */
    public static Invocation throttled(String requestId, TooManyRequestsException throttle) {
        return new Invocation(requestId, Outcome.THROTTLED, null, throttle.getClass().getSimpleName(),
                throttle.getMessage() + " Reason: " + throttle.reason(), null, false, Duration.ZERO, Duration.ZERO);
    }

    /** Any other ending: a timeout, a function error, an init error. */
    public static Invocation failed(String requestId, Outcome outcome, Served served, String errorType,
            String errorMessage, Duration duration) {
        if (outcome == Outcome.SUCCESS || outcome == Outcome.THROTTLED) {
            throw new IllegalArgumentException("failed(..) is for timeouts and errors, got " + outcome);
        }
        return new Invocation(requestId, outcome, null, Objects.requireNonNull(errorType, "errorType"), errorMessage,
                served.environmentId(), served.coldStart(), served.initDuration(), duration);
    }

    public boolean succeeded() {
        return outcome == Outcome.SUCCESS;
    }
}

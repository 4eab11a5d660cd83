package dev.lambdalab.db;

import java.util.Objects;

/**
 * A classified failure: its cause, and for a pool timeout the cause behind it (what made the pool's
 * own connection attempts fail), with the SQLState and the first line of the database's message.
 * Messages pass through {@link Redactor}.
 *
 * @param cause the named cause
 * @param underlying for {@link FailureCause#POOL_TIMEOUT}, what the pool's last connection attempt
 *     failed with; otherwise {@code null}
 * @param sqlState the SQLState of the exception that gave the cause, or {@code null}
 * @param message the first line of that exception's message, redacted
 * @param underlyingMessage the first line of the underlying exception's message, or {@code null}
 */
public record Failure(FailureCause cause, FailureCause underlying, String sqlState, String message,
        String underlyingMessage) {

    public Failure {
        Objects.requireNonNull(cause, "cause");
    }

    public int httpStatus() {
        return cause.httpStatus();
    }

    /** The cause's hint, and for a pool timeout also the hint of what made the pool's attempts fail. */
    public String hint() {
        return underlying == null ? cause.hint() : cause.hint() + " Behind it: " + underlying.hint();
    }

    /** {@code CAUSE} or {@code CAUSE (UNDERLYING)}, as the log lines and reports print it. */
    public String label() {
        return underlying == null ? cause.name() : cause.name() + " (" + underlying.name() + ")";
    }
}

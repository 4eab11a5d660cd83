package dev.lambdalab.testbed.app;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.lambdalab.db.FailureCause;
import dev.lambdalab.db.FailureClassifier;
import dev.lambdalab.testbed.lambda.Invocation;
import dev.lambdalab.testbed.lambda.sandbox.FunctionLog;
import java.util.List;
import java.util.Optional;

/**
 * Why a request to a function the test bed did not write failed, in one label: the database cause its answer, its
 * error or its log lines name in the servers' and pools' own words (shared-db's {@link FailureClassifier}, the same
 * causes the lab's handlers report: {@code POOL_TIMEOUT}, {@code ROLE_CONNECTION_LIMIT}, ...), else what Lambda says
 * ({@code TIMEOUT}, {@code INIT_ERROR}, {@code THROTTLED}, the exception's type), else the HTTP status.
 */
public final class AppOutcomes {

    /** Writes an answer back out as the function wrote it: absent fields stay absent. */
    private static final ObjectMapper JSON = new ObjectMapper()
            .setDefaultPropertyInclusion(JsonInclude.Value.construct(JsonInclude.Include.NON_NULL,
                    JsonInclude.Include.NON_NULL));

    private AppOutcomes() {
    }

    /**
     * The cause of a failed request, or empty when it succeeded (an answer below 500).
     *
     * @param status the HTTP status the caller got (the invocation's own, or the gateway's)
     * @param body what the function answered, when it answered
     * @param log the function's log, whose lines of this request are read when the answer says nothing
     */
    public static Optional<String> failure(Invocation invocation, int status, String body, FunctionLog log) {
        return switch (invocation.outcome()) {
            case THROTTLED -> Optional.of("THROTTLED");
            case TIMED_OUT -> Optional.of("TIMEOUT");
            case INIT_ERROR -> Optional.of("INIT_ERROR" + database(invocation.errorMessage(), List.of())
                    .map(cause -> " (" + cause + ")").orElse(" (" + invocation.errorType() + ")"));
            case FUNCTION_ERROR -> Optional.of(database(invocation.errorMessage(), lines(log, invocation))
                    .orElse("FUNCTION_ERROR (" + invocation.errorType() + ")"));
            case SUCCESS -> status < 500 ? Optional.empty() : Optional.of(database(body, lines(log, invocation))
                    .orElse("HTTP " + status));
        };
    }

    /** The function's answer as JSON text, as the runtime returned it (an HTTP API answer written back out). */
    public static String responseText(Invocation invocation) {
        Object response = invocation.response();
        if (response == null) {
            return "";
        }
        if (response instanceof String text) {
            return text;
        }
        try {
            return JSON.writeValueAsString(response);
        } catch (JsonProcessingException e) {
            return String.valueOf(response);
        }
    }

    private static Optional<String> database(String text, List<String> lines) {
        Optional<FailureCause> cause = FailureClassifier.causeOfText(text);
        for (int i = lines.size() - 1; cause.isEmpty() && i >= 0; i--) {
            cause = FailureClassifier.causeOfText(lines.get(i));
        }
        return cause.map(FailureCause::name);
    }

    private static List<String> lines(FunctionLog log, Invocation invocation) {
        if (log == null || invocation.requestId() == null) {
            return List.of();
        }
        return log.linesOf(invocation.requestId());
    }
}

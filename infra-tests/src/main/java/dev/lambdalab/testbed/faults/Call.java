package dev.lambdalab.testbed.faults;

import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * One call to the fixed function, as the caller saw it.
 *
 * @param status the HTTP status API Gateway would answer
 * @param detail the handler's cause ({@code POOL_TIMEOUT (CONNECTION_REFUSED)}) or Lambda's error type, empty for a 200
 * @param sqlState the SQLState in the handler's error body, {@code null} when there is none
 * @param errorMessage Lambda's error message (a timeout), {@code null} otherwise
 * @param environmentId the execution environment that answered
 * @param backendPid the PostgreSQL backend that ran the query, 0 when none did
 * @param coldStart whether the environment was started for this call
 * @param latencyMillis how long the caller waited
 */
record Call(int status, String detail, String sqlState, String errorMessage, String environmentId, int backendPid,
        boolean coldStart, long latencyMillis) {

    Call {
        Objects.requireNonNull(detail, "detail");
    }

    /** {@code 200}, {@code 503 POOL_TIMEOUT (CONNECTION_REFUSED)}, {@code 500 TIMEOUT}. */
    String key() {
        return status == 200 ? "200" : status + " " + detail;
    }

    boolean ok() {
        return status == 200;
    }

    /** True when this call was answered by the same environment as {@code other}. */
    boolean sameEnvironmentAs(Call other) {
        return environmentId != null && environmentId.equals(other.environmentId);
    }

    /** How many calls got each answer, by {@link #key()}. */
    static Map<String, Long> answers(List<Call> calls) {
        Map<String, Long> answers = new TreeMap<>();
        calls.forEach(call -> answers.merge(call.key(), 1L, Long::sum));
        return answers;
    }

    /** How many environments answered these calls. */
    static long environmentsOf(List<Call> calls) {
        return calls.stream().map(Call::environmentId).filter(Objects::nonNull).distinct().count();
    }
}

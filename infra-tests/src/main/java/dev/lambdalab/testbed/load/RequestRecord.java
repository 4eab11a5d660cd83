package dev.lambdalab.testbed.load;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.lambdalab.testbed.apigw.HttpApiGateway;
import dev.lambdalab.testbed.lambda.Invocation;
import java.io.IOException;

/**
 * One request of a run, as the caller saw it.
 *
 * @param startMillis when it was sent, since the run began
 * @param latencyMicros how long the answer took
 * @param kind how it ended
 * @param cause for {@link Kind#ERROR}: the classified cause from the answer's body ({@code ROLE_CONNECTION_LIMIT},
 *     ...) or the Lambda error ({@code TIMEOUT}, {@code INIT_ERROR}, {@code FUNCTION_ERROR}); else {@code null}
 * @param detail for a pool timeout the cause behind it ({@code POOL_TIMEOUT (ROLE_CONNECTION_LIMIT)}); else the cause
 * @param status the HTTP status the caller got (see {@link HttpApiGateway}: 429 for a throttle, 500 for a Lambda error)
 * @param environmentId the environment that served it, or {@code null}
 * @param backendPid the PostgreSQL backend that served it, or 0
 * @param acquireMillis how long the handler waited for its pool's connection ({@code timingMs.acquire} of the answer),
 *     or -1 when the answer does not say
 */
public record RequestRecord(long startMillis, long latencyMicros, Kind kind, String cause, String detail, int status,
        String environmentId, int backendPid, double acquireMillis) {

    /**
     * A request waited for its pool when getting the connection took this long: HikariCP lends an idle connection in
     * microseconds, so a millisecond means the thread queued behind others, or the pool opened a connection for it.
     */
    public static final double POOL_WAIT_MILLIS = 1.0;

    private static final ObjectMapper JSON = new ObjectMapper();

    /** One request as its caller saw it: the HTTP answer, and for errors the cause its body names. */
    public static RequestRecord of(Invocation invocation, HttpApiGateway.Answer answer, long startMillis,
            long latencyMicros) {
        int status = answer.status();
        if (invocation.outcome() == Invocation.Outcome.THROTTLED) {
            return new RequestRecord(startMillis, latencyMicros, Kind.THROTTLED, null, null, status, null, 0, -1);
        }
        if (answer.lambdaError() != null) {
            String detail = answer.lambdaError() + (invocation.errorType() == null ? "" : " " + invocation.errorType());
            return new RequestRecord(startMillis, latencyMicros, Kind.ERROR, answer.lambdaError(), detail, status,
                    invocation.environmentId(), 0, -1);
        }
        return fromHttp(status, answer.body(), invocation.environmentId(), startMillis, latencyMicros);
    }

    /**
     * One request from its HTTP answer alone (a real API Gateway's, or the test bed's): 2xx is OK, 429 a
     * throttle, 4xx a bad request, anything else an error whose cause the handler's JSON body names (or
     * {@code HTTP_<status>} when the body is not the handler's, such as API Gateway's own 500).
     *
     * @param environmentId the environment that answered, when known; else the body's environmentId
     */
    public static RequestRecord fromHttp(int status, String bodyText, String environmentId, long startMillis,
            long latencyMicros) {
        JsonNode body;
        try {
            body = JSON.readTree(bodyText == null || bodyText.isEmpty() ? "{}" : bodyText);
        } catch (IOException e) {
            body = JSON.createObjectNode();
        }
        String environment = environmentId != null ? environmentId : body.path("environmentId").asText(null);
        int pid = body.path("backendPid").asInt(0);
        double acquire = body.path("timingMs").path("acquire").asDouble(-1);
        if (status >= 200 && status < 300) {
            return new RequestRecord(startMillis, latencyMicros, Kind.OK, null, null, status, environment, pid, acquire);
        }
        if (status == 429) {
            return new RequestRecord(startMillis, latencyMicros, Kind.THROTTLED, null, null, status, environment, 0, -1);
        }
        JsonNode error = body.path("error");
        String cause = error.path("cause").asText("HTTP_" + status);
        String underlying = error.path("underlyingCause").asText(null);
        String detail = underlying == null ? cause : cause + " (" + underlying + ")";
        Kind kind = status < 500 ? Kind.BAD_REQUEST : Kind.ERROR;
        return new RequestRecord(startMillis, latencyMicros, kind, cause, detail, status, environment, pid, -1);
    }

    /** Whether the handler waited for its pool: its connection took {@link #POOL_WAIT_MILLIS} or more, or never came. */
    public boolean waitedForPool() {
        return acquireMillis >= POOL_WAIT_MILLIS || "POOL_TIMEOUT".equals(cause);
    }

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

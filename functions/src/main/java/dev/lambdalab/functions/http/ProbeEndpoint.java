package dev.lambdalab.functions.http;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.LambdaLogger;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPEvent;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPResponse;
import dev.lambdalab.db.DatabaseProbe;
import dev.lambdalab.db.DbSettings;
import dev.lambdalab.db.DatabaseProbe.ProbeResult;
import dev.lambdalab.db.ExecutionEnvironment;
import dev.lambdalab.db.Failure;
import dev.lambdalab.db.FailureCause;
import dev.lambdalab.db.FailureClassifier;
import dev.lambdalab.db.JsonObject;
import dev.lambdalab.db.PoolState;
import dev.lambdalab.db.Redactor;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.sql.SQLException;
import java.util.Map;
import java.util.Objects;
import javax.sql.DataSource;

/**
 * The HTTP side both handlers share: validate the event, get a pool from the handler, run the probe,
 * answer JSON. Keeping it here leaves the handlers with nothing but the lines that differ: where their
 * pool comes from.
 *
 * <p>Answers: 200 with the backend pid and the pool's state; 400 naming the bad field; 503 (500 for an
 * unexpected error) with the classified cause and a one-line hint, never a stack trace. Every wait on
 * the way is bounded by a timeout, so an answer comes well within the function timeout.
 */
public final class ProbeEndpoint {

    /** Where the handler's pool comes from: built per request (broken) or the environment's own (fixed). */
    @FunctionalInterface
    public interface PoolSource {
        DataSource get() throws SQLException;
    }

    private static final Map<String, String> JSON = Map.of("content-type", "application/json");

    private final String variant;
    private final int queryTimeoutSeconds;
    // The pools this environment's handler handed over: a new one per request (broken) or always the same
    // (fixed). Counted here, where they are seen, instead of by a JVM-wide counter in the pool factory.
    private DataSource lastPool;
    private int poolsSeen;

    /**
     * @param variant the handler's name ({@code broken}, {@code fixed}, {@code fixed-snapstart}, {@code default-pool}):
     *     the first word of every log line and answer
     * @param settings the environment's settings, read once at init (the probe's DB_QUERY_TIMEOUT_S)
     */
    public ProbeEndpoint(String variant, DbSettings settings) {
        this.variant = Objects.requireNonNull(variant, "variant");
        this.queryTimeoutSeconds = settings.queryTimeoutSeconds();
    }

    public APIGatewayV2HTTPResponse handle(APIGatewayV2HTTPEvent event, Context context, PoolSource poolSource) {
        long start = System.nanoTime();
        boolean coldStart = ExecutionEnvironment.markInvocationIsCold();
        JsonObject body = new JsonObject()
                .put("variant", variant)
                .put("environmentId", ExecutionEnvironment.id())
                .put("coldStart", coldStart)
                .put("requestId", context.getAwsRequestId());

        ProbeRequest request;
        try {
            request = ProbeRequest.from(event);
        } catch (BadRequestException e) {
            body.put("error", new JsonObject().put("cause", "BAD_REQUEST").put("field", e.field())
                    .put("message", e.getMessage()));
            return answer(400, body);
        }
        body.put("holdMs", request.holdMillis());

        DataSource pool = null;
        try {
            pool = poolSource.get();
            countPool(pool);
            ProbeResult result = DatabaseProbe.run(pool, request.holdMillis(), queryTimeoutSeconds);
            body.put("backendPid", result.backendPid())
                    .put("pool", poolJson(result.pool()))
                    .put("poolsCreatedInEnvironment", poolsSeen())
                    .put("timingMs", new JsonObject().put("acquire", result.acquireMillis())
                            .put("query", result.queryMillis()).put("total", millisSince(start)));
            if (coldStart) {
                log(context, "cold start served by backend " + result.backendPid() + " | " + result.pool());
            }
            return answer(200, body);
        } catch (SQLException | RuntimeException e) {
            Failure failure = FailureClassifier.classify(e);
            PoolState state = PoolState.of(pool);
            log(context, "request " + context.getAwsRequestId() + " holdMs=" + request.holdMillis() + " failed after "
                    + millisSince(start) + "ms: " + failure.label() + " " + failure.sqlState() + " " + failure.message()
                    + " | " + (state == null ? "no pool" : state));
            if (failure.cause() == FailureCause.OTHER) {
                log(context, stackTrace(e)); // unexpected: the log gets the whole story, the caller does not
            }
            body.put("error", new JsonObject()
                            .put("cause", failure.cause())
                            .putIfNotNull("underlyingCause", failure.underlying())
                            .putIfNotNull("sqlState", failure.sqlState())
                            .put("message", failure.message())
                            .putIfNotNull("underlyingMessage", failure.underlyingMessage())
                            .put("hint", failure.hint()))
                    .put("pool", poolJson(state))
                    .put("poolsCreatedInEnvironment", poolsSeen())
                    .put("timingMs", new JsonObject().put("total", millisSince(start)));
            return answer(failure.httpStatus(), body);
        }
    }

    private synchronized void countPool(DataSource pool) {
        if (pool != lastPool) {
            lastPool = pool;
            poolsSeen++;
        }
    }

    private synchronized int poolsSeen() {
        return poolsSeen;
    }

    private static JsonObject poolJson(PoolState state) {
        if (state == null) {
            return null;
        }
        return new JsonObject().put("name", state.name()).put("total", state.total()).put("active", state.active())
                .put("idle", state.idle()).put("waiting", state.waiting());
    }

    private void log(Context context, String message) {
        LambdaLogger logger = context.getLogger();
        // Identity first: which environment and which variant, as every log line of this project.
        logger.log("[env " + ExecutionEnvironment.shortId() + " " + variant + "] " + Redactor.redact(message) + "\n");
    }

    private static String stackTrace(Throwable e) {
        StringWriter text = new StringWriter();
        e.printStackTrace(new PrintWriter(text));
        return text.toString();
    }

    private static double millisSince(long startNanos) {
        return Math.round((System.nanoTime() - startNanos) / 10_000.0) / 100.0;
    }

    private static APIGatewayV2HTTPResponse answer(int status, JsonObject body) {
        return APIGatewayV2HTTPResponse.builder()
                .withStatusCode(status)
                .withHeaders(JSON)
                .withBody(body.toString())
                .build();
    }
}

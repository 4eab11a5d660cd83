package dev.lambdalab.functions.fixed;

import static org.assertj.core.api.Assertions.assertThat;

import com.amazonaws.services.lambda.runtime.ClientContext;
import com.amazonaws.services.lambda.runtime.CognitoIdentity;
import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.LambdaLogger;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPEvent;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPResponse;
import dev.lambdalab.db.ConnectionSpec;
import dev.lambdalab.db.DbSettings;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.SQLFeatureNotSupportedException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.logging.Logger;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;

/**
 * The fixed handler with a pool the test hands it (the second constructor; Lambda calls the first, which builds the
 * environment's pool at init): every invocation of an environment asks the same pool, and a pool that cannot connect
 * becomes a 503 naming the cause, with no database needed. infra-tests runs the handler against a real PostgreSQL.
 */
class FixedHandlerTest {

    private static final ConnectionSpec SPEC = ConnectionSpec.create(DbSettings.from(Map.of("DB_HOST", "db.invalid",
            "DB_USER", "app", "DB_PASSWORD", "not-used", "DB_NAME", "lab")));

    @Test
    void everyInvocationOfAnEnvironmentAsksTheOnePoolItWasGiven() {
        RefusingPool pool = new RefusingPool(new SQLException("FATAL: too many connections for role \"app\"", "53300"));
        FixedHandler handler = new FixedHandler(SPEC, pool);
        List<String> log = new ArrayList<>();

        APIGatewayV2HTTPResponse first = handler.handleRequest(get(), context(log));
        APIGatewayV2HTTPResponse second = handler.handleRequest(get(), context(log));

        assertThat(pool.asked.get()).as("both invocations went to the same pool").isEqualTo(2);
        assertThat(second.getBody()).as("no new pool per invocation").contains("\"poolsCreatedInEnvironment\":1");
        assertThat(first.getStatusCode()).isEqualTo(503);
        assertThat(first.getBody()).as("the cause, classified").contains("ROLE_CONNECTION_LIMIT");
        assertThat(log).as("one log line per failed request, the environment and the handler first").hasSize(2)
                .allMatch(line -> line.matches("(?s)\\[env \\S+ fixed\\] request request-1 .*ROLE_CONNECTION_LIMIT 53300.*"));
    }

    @Test
    void aBadQueryParameterIsA400NamingTheFieldWithoutTouchingThePool() {
        RefusingPool pool = new RefusingPool(new SQLException("unused"));
        APIGatewayV2HTTPEvent event = get();
        event.setQueryStringParameters(Map.of("holdMs", "-5"));

        APIGatewayV2HTTPResponse response = new FixedHandler(SPEC, pool).handleRequest(event, context(new ArrayList<>()));

        assertThat(response.getStatusCode()).isEqualTo(400);
        assertThat(response.getBody()).contains("\"field\":\"holdMs\"", "-5");
        assertThat(pool.asked.get()).isZero();
    }

    private static APIGatewayV2HTTPEvent get() {
        APIGatewayV2HTTPEvent event = new APIGatewayV2HTTPEvent();
        event.setRawPath("/fixed");
        return event;
    }

    /** A pool whose every borrow fails, as a full database makes it fail. */
    private static final class RefusingPool implements DataSource {
        final AtomicInteger asked = new AtomicInteger();
        private final SQLException refusal;

        RefusingPool(SQLException refusal) {
            this.refusal = refusal;
        }

        @Override
        public Connection getConnection() throws SQLException {
            asked.incrementAndGet();
            throw refusal;
        }

        @Override
        public Connection getConnection(String username, String password) throws SQLException {
            return getConnection();
        }

        @Override
        public PrintWriter getLogWriter() {
            return null;
        }

        @Override
        public void setLogWriter(PrintWriter out) {
        }

        @Override
        public void setLoginTimeout(int seconds) {
        }

        @Override
        public int getLoginTimeout() {
            return 0;
        }

        @Override
        public Logger getParentLogger() throws SQLFeatureNotSupportedException {
            throw new SQLFeatureNotSupportedException();
        }

        @Override
        public <T> T unwrap(Class<T> type) throws SQLException {
            throw new SQLException("not a wrapper");
        }

        @Override
        public boolean isWrapperFor(Class<?> type) {
            return false;
        }
    }

    private static Context context(List<String> log) {
        LambdaLogger logger = new LambdaLogger() {
            @Override
            public void log(String message) {
                log.add(message);
            }

            @Override
            public void log(byte[] message) {
                log.add(new String(message, StandardCharsets.UTF_8));
            }
        };
        return new Context() {
            @Override
            public String getAwsRequestId() {
                return "request-1";
            }

            @Override
            public String getLogGroupName() {
                return "/aws/lambda/fixed";
            }

            @Override
            public String getLogStreamName() {
                return "stream";
            }

            @Override
            public String getFunctionName() {
                return "fixed";
            }

            @Override
            public String getFunctionVersion() {
                return "$LATEST";
            }

            @Override
            public String getInvokedFunctionArn() {
                return "arn:aws:lambda:eu-west-1:123456789012:function:fixed";
            }

            @Override
            public CognitoIdentity getIdentity() {
                return null;
            }

            @Override
            public ClientContext getClientContext() {
                return null;
            }

            @Override
            public int getRemainingTimeInMillis() {
                return 15_000;
            }

            @Override
            public int getMemoryLimitInMB() {
                return 1024;
            }

            @Override
            public LambdaLogger getLogger() {
                return logger;
            }
        };
    }
}

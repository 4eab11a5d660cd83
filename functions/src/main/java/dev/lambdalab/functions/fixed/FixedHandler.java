package dev.lambdalab.functions.fixed;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestHandler;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPEvent;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPResponse;
import com.zaxxer.hikari.HikariDataSource;
import dev.lambdalab.db.ConnectionSpec;
import dev.lambdalab.db.LambdaPool;
import dev.lambdalab.functions.http.ProbeEndpoint;
import javax.sql.DataSource;

/**
 * THE FIX: one pool per execution environment, built during init, of at most one connection, with short
 * timeouts; deployed behind RDS Proxy, which multiplexes the environments' connections onto a few
 * database connections, and with a reserved concurrency that bounds the number of environments.
 *
 * <p>Compare with {@code dev.lambdalab.functions.broken.BrokenHandler}: only the marked lines differ.
 */
public final class FixedHandler implements RequestHandler<APIGatewayV2HTTPEvent, APIGatewayV2HTTPResponse> {

    private final DataSource pool;
    private final ProbeEndpoint endpoint;

    /** Lambda calls this once per execution environment, during init. */
    public FixedHandler() {
        this(EnvironmentPool.CONNECTION, EnvironmentPool.INSTANCE);
    }

    /** With a given pool: what FixedHandlerTest uses, and a way to hand the handler any DataSource. */
    public FixedHandler(ConnectionSpec connection, DataSource pool) {
        this.pool = pool;
        this.endpoint = new ProbeEndpoint("fixed", connection.settings());
    }

    @Override
    public APIGatewayV2HTTPResponse handleRequest(APIGatewayV2HTTPEvent event, Context context) {
        // FIX 1: no pool is built here; every warm invocation of this environment reuses the one from init.
        return endpoint.handle(event, context, () -> pool);
    }

    /**
     * FIX 2: a static, so there is exactly one pool per execution environment, created during init (the
     * cold start). LambdaPool sizes it for Lambda: at most 1 connection, because an environment serves one
     * request at a time, and a pool timeout far below the function timeout. (A holder class rather than a plain
     * static field: it is initialized only when the no-argument constructor runs, so FixedHandlerTest can hand the
     * other constructor a pool of its own without this one connecting to a database.)
     */
    private static final class EnvironmentPool {
        static final ConnectionSpec CONNECTION = ConnectionSpec.fromEnvironment();
        static final HikariDataSource INSTANCE = LambdaPool.create(CONNECTION, "fixed");
    }
}

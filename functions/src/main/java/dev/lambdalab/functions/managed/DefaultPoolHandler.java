package dev.lambdalab.functions.managed;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestHandler;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPEvent;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPResponse;
import com.zaxxer.hikari.HikariDataSource;
import dev.lambdalab.db.ConnectionSpec;
import dev.lambdalab.functions.http.ProbeEndpoint;
import javax.sql.DataSource;

/**
 * THE OTHER MISTAKE, as AWS's own page for Lambda Managed Instances shows it ("Java runtime for Lambda Managed
 * Instances", "Example: database connection pool"): one static HikariDataSource per environment, which is right,
 * with HikariCP's defaults, which are sized for one long-lived server: 10 connections, all opened at init
 * (minimumIdle = maximumPoolSize), waiting up to 30 s for one.
 *
 * <p>On Managed Instances every environment opens its 10, and the capacity provider adds environments as traffic
 * grows: the database sees environments x 10 connections whatever the load, straight to it or at the proxy. It
 * is the same static pool as {@code FixedHandler}'s; only its size differs, so it shares the fixed handler's
 * connection settings (ConnectionSpec) and its HTTP side, as the broken handler does, and the comparison isolates
 * the pool.
 *
 * <p>Compare with {@code dev.lambdalab.functions.fixed.FixedHandler}: only the marked lines differ.
 */
public final class DefaultPoolHandler implements RequestHandler<APIGatewayV2HTTPEvent, APIGatewayV2HTTPResponse> {

    private final DataSource pool;
    private final ProbeEndpoint endpoint;

    /** Lambda calls this once per execution environment, during init. */
    public DefaultPoolHandler() {
        this(EnvironmentPool.CONNECTION, EnvironmentPool.INSTANCE);
    }

    public DefaultPoolHandler(ConnectionSpec connection, DataSource pool) {
        this.pool = pool;
        this.endpoint = new ProbeEndpoint("default-pool", connection.settings());
    }

    @Override
    public APIGatewayV2HTTPResponse handleRequest(APIGatewayV2HTTPEvent event, Context context) {
        return endpoint.handle(event, context, () -> pool);
    }

    /** One pool per environment, built during init, as in FixedHandler. */
    private static final class EnvironmentPool {
        static final ConnectionSpec CONNECTION = ConnectionSpec.fromEnvironment();
        // MISTAKE 1: HikariCP's defaults instead of LambdaPool's sizing: maximumPoolSize = minimumIdle = 10 in every
        //            environment, whatever its concurrency, so the database sees environments x 10 connections, and a
        //            new environment fails its init once the limit is used up (initializationFailTimeout 1 ms).
        static final HikariDataSource INSTANCE = new HikariDataSource(CONNECTION.hikariConfig("default-pool"));
    }
}

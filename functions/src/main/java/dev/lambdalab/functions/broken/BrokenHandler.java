package dev.lambdalab.functions.broken;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestHandler;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPEvent;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPResponse;
import com.zaxxer.hikari.HikariDataSource;
import dev.lambdalab.db.ConnectionSpec;
import dev.lambdalab.functions.http.ProbeEndpoint;

/**
 * THE MISTAKE: a connection pool built inside the handler, the way it is often written.
 *
 * <p>It works on a laptop, where one process serves every request. In Lambda each execution environment
 * is its own process serving one request at a time, and concurrency means many environments. Every
 * invocation here leaves a pool of HikariCP's default 10 connections behind, so an environment holds
 * 10 × (its invocations) connections, and the database sees environments × that. At a traffic spike
 * PostgreSQL answers {@code FATAL: too many connections for role "app"} (53300) and requests fail.
 *
 * <p>Compare with {@code dev.lambdalab.functions.fixed.FixedHandler}: only the marked lines differ. The rest is shared
 * on purpose, so that the pair is a controlled experiment in which only the pool differs: the same
 * {@link ConnectionSpec} (connect and socket timeouts, {@code assumeMinServerVersion}, the DataSource that reads the
 * secret), the same probe and the same error answers. Code in the wild usually gets those wrong too; here they are
 * right in both, so every failure the broken handler shows comes from its pool.
 */
public final class BrokenHandler implements RequestHandler<APIGatewayV2HTTPEvent, APIGatewayV2HTTPResponse> {

    private final ConnectionSpec connection;
    private final ProbeEndpoint endpoint;

    /** Lambda calls this once per execution environment, during init. */
    public BrokenHandler() {
        this(ConnectionSpec.fromEnvironment());
    }

    public BrokenHandler(ConnectionSpec connection) {
        this.connection = connection;
        this.endpoint = new ProbeEndpoint("broken", connection.settings());
    }

    @Override
    public APIGatewayV2HTTPResponse handleRequest(APIGatewayV2HTTPEvent event, Context context) {
        return endpoint.handle(event, context, () -> {
            // MISTAKE 1: a new pool for every invocation. Nothing reuses it and nothing closes it, so its
            //            connections stay open for the life of the environment, one pool more per request.
            // MISTAKE 2: HikariCP's defaults, sized for a long-lived server: maximumPoolSize = minimumIdle = 10,
            //            so the pool opens 10 connections in the background for a request that needs one.
            return new HikariDataSource(connection.hikariConfig("broken"));
        });
    }
}

package dev.lambdalab.functions.snapstart;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestHandler;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPEvent;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPResponse;
import com.zaxxer.hikari.HikariDataSource;
import dev.lambdalab.db.ConnectionSpec;
import dev.lambdalab.db.LambdaPool;
import dev.lambdalab.db.PoolCheckpoint;
import dev.lambdalab.functions.http.ProbeEndpoint;
import javax.sql.DataSource;

/**
 * THE FIX, made safe for SnapStart: {@code FixedHandler} plus the runtime hooks a snapshot needs.
 *
 * <p>With SnapStart, Lambda runs init once per published version, snapshots the environment, and
 * restores that one snapshot into every new environment, possibly days later. Everything init made is in
 * every copy: the pool's open connection (a socket no copy can use), the credentials read at init (a
 * token past its 15 minutes, a secret rotated since), the environment id generated at init. The plain
 * {@code FixedHandler} under SnapStart is the {@code fixed-snapstart-naive} scenario.
 *
 * <p>Compare with {@code dev.lambdalab.functions.fixed.FixedHandler}: only the marked lines differ.
 */
public final class SnapStartFixedHandler implements RequestHandler<APIGatewayV2HTTPEvent, APIGatewayV2HTTPResponse> {

    private final DataSource pool;
    private final ProbeEndpoint endpoint;

    /** Lambda calls this once per published version, during the init that precedes the snapshot. */
    public SnapStartFixedHandler() {
        this(EnvironmentPool.CONNECTION, EnvironmentPool.INSTANCE);
    }

    public SnapStartFixedHandler(ConnectionSpec connection, DataSource pool) {
        this.pool = pool;
        this.endpoint = new ProbeEndpoint("fixed-snapstart", connection.settings());
    }

    @Override
    public APIGatewayV2HTTPResponse handleRequest(APIGatewayV2HTTPEvent event, Context context) {
        return endpoint.handle(event, context, () -> pool);
    }

    /** One pool per environment, built during init, as in FixedHandler; and the hooks that carry it through a snapshot. */
    private static final class EnvironmentPool {
        static final ConnectionSpec CONNECTION = ConnectionSpec.fromEnvironment();
        // SNAPSTART 1: a pool HikariCP can suspend and resume. Not one to close before the snapshot: a
        //              HikariCP pool cannot start again after shutdown (HikariCP issue 2082).
        static final HikariDataSource INSTANCE = LambdaPool.createSuspendable(CONNECTION, "fixed-snapstart");
        // SNAPSTART 2: beforeCheckpoint empties and suspends the pool; afterRestore gives the copy its own
        //              environment id, reads the credentials again and resumes the pool. Held here: the
        //              runtime's context keeps only weak references to what is registered.
        static final SnapStartHooks HOOKS = SnapStartHooks.register("fixed-snapstart", new PoolCheckpoint(INSTANCE),
                CONNECTION.credentials());
    }
}

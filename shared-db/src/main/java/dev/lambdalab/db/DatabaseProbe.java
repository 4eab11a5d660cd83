package dev.lambdalab.db;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import javax.sql.DataSource;

/**
 * The work each request does: borrow a connection, ask the server which backend serves it
 * ({@code pg_backend_pid()}) and hold the connection for a given time with {@code pg_sleep}, the way a
 * real query of that length would. The hold runs on the server, so behind PgBouncer or RDS Proxy it
 * holds a database connection too, not only the client's.
 */
public final class DatabaseProbe {

    private static final String QUERY = "SELECT pg_backend_pid(), pg_sleep(?)";

    private DatabaseProbe() {
    }

    /**
     * Runs the probe.
     *
     * @param pool where to borrow the connection
     * @param holdMillis how long to hold it, validated by the caller
     * @param queryTimeoutSeconds after this long pgjdbc sends the server a cancel request (PostgreSQL's
     *     protocol-level CancelRequest, on a connection of its own); the query fails with SQLState 57014
     *     and the connection stays usable. 0: no query timeout, only the socket timeout
     * @throws SQLException from borrowing or querying, for {@link FailureClassifier}
     */
    public static ProbeResult run(DataSource pool, int holdMillis, int queryTimeoutSeconds) throws SQLException {
        long start = System.nanoTime();
        try (Connection connection = pool.getConnection()) {
            long acquired = System.nanoTime();
            // While the connection is lent out: shows active=1 for the request's own connection.
            PoolState state = PoolState.of(pool);
            int backendPid;
            try (PreparedStatement statement = connection.prepareStatement(QUERY)) {
                statement.setDouble(1, holdMillis / 1000.0); // a bind parameter: no SQL built from input
                // A slow query is cancelled on the server, so the connection goes back to the pool healthy;
                // the socket timeout (longer) only has to catch a peer that stopped answering altogether.
                statement.setQueryTimeout(queryTimeoutSeconds);
                try (ResultSet result = statement.executeQuery()) {
                    result.next();
                    backendPid = result.getInt(1);
                }
            }
            long done = System.nanoTime();
            return new ProbeResult(backendPid, state, nanosToMillis(acquired - start), nanosToMillis(done - acquired));
        }
    }

    private static double nanosToMillis(long nanos) {
        return Math.round(nanos / 10_000.0) / 100.0;
    }

    /**
     * What the probe saw.
     *
     * @param backendPid the PostgreSQL backend that served the query
     * @param pool the pool's state while the connection was lent out, or {@code null}
     * @param acquireMillis time to get the connection from the pool
     * @param queryMillis time of the query, hold included
     */
    public record ProbeResult(int backendPid, PoolState pool, double acquireMillis, double queryMillis) {
    }
}

package dev.lambdalab.testbed.rdsproxy;

import java.util.Locale;

/**
 * The emulator's numbers at one instant, under RDS Proxy's CloudWatch metric names ("Monitoring RDS Proxy
 * metrics with Amazon CloudWatch", Amazon RDS User Guide), so that {@code testbed aws} and the local runs
 * print the same columns. Gauges are current values; latencies are totals over the run, so two snapshots
 * give a period's average with {@link #since}; CloudWatch reports the latencies in microseconds.
 *
 * @param clientConnections ClientConnections: client connections open now
 * @param databaseConnections DatabaseConnections: database connections open now (logging in included)
 * @param databaseConnectionsCurrentlySessionPinned DatabaseConnectionsCurrentlySessionPinned
 * @param databaseConnectionsBorrowed database connections linked to a client session now
 * @param clientsWaiting client sessions waiting to borrow a database connection now
 * @param borrows borrows so far
 * @param borrowMicrosTotal DatabaseConnectionsBorrowLatency summed over the borrows
 * @param queries client requests answered so far
 * @param queryResponseMicrosTotal QueryResponseLatency summed: from the client's request to the proxy's first answer
 * @param databaseResponses requests the database answered so far
 * @param queryDatabaseResponseMicrosTotal QueryDatabaseResponseLatency summed: from the proxy's write to the database's answer
 * @param sessionsPinned client sessions that were ever pinned
 * @param borrowTimeouts requests refused with "Timed-out waiting to acquire database connection."
 * @param clientLimitRefusals clients refused at the client-connection limit
 * @param cancelRequestsDropped CancelRequests dropped (RDS Proxy does not forward them)
 * @param idleClientsClosed client connections closed by IdleClientTimeout
 * @param databaseConnectionFailures failed attempts to open a database connection
 */
public record ProxyMetrics(int clientConnections, int databaseConnections, int databaseConnectionsCurrentlySessionPinned,
        int databaseConnectionsBorrowed, int clientsWaiting, long borrows, long borrowMicrosTotal, long queries,
        long queryResponseMicrosTotal, long databaseResponses, long queryDatabaseResponseMicrosTotal, long sessionsPinned,
        long borrowTimeouts, long clientLimitRefusals, long cancelRequestsDropped, long idleClientsClosed,
        long databaseConnectionFailures) {

    public static final ProxyMetrics ZERO = new ProxyMetrics(0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0);

    /** DatabaseConnectionsBorrowLatency, average in microseconds (0 without borrows). */
    public long borrowLatencyMicros() {
        return borrows == 0 ? 0 : borrowMicrosTotal / borrows;
    }

    /** QueryResponseLatency, average in microseconds. */
    public long queryResponseLatencyMicros() {
        return queries == 0 ? 0 : queryResponseMicrosTotal / queries;
    }

    /** QueryDatabaseResponseLatency, average in microseconds. */
    public long queryDatabaseResponseLatencyMicros() {
        return databaseResponses == 0 ? 0 : queryDatabaseResponseMicrosTotal / databaseResponses;
    }

    /** The gauges of this snapshot with the totals of the period since {@code earlier}. */
    public ProxyMetrics since(ProxyMetrics earlier) {
        return new ProxyMetrics(clientConnections, databaseConnections, databaseConnectionsCurrentlySessionPinned,
                databaseConnectionsBorrowed, clientsWaiting, borrows - earlier.borrows,
                borrowMicrosTotal - earlier.borrowMicrosTotal, queries - earlier.queries,
                queryResponseMicrosTotal - earlier.queryResponseMicrosTotal, databaseResponses - earlier.databaseResponses,
                queryDatabaseResponseMicrosTotal - earlier.queryDatabaseResponseMicrosTotal,
                sessionsPinned - earlier.sessionsPinned, borrowTimeouts - earlier.borrowTimeouts,
                clientLimitRefusals - earlier.clientLimitRefusals, cancelRequestsDropped - earlier.cancelRequestsDropped,
                idleClientsClosed - earlier.idleClientsClosed, databaseConnectionFailures - earlier.databaseConnectionFailures);
    }

    /** One line with CloudWatch's names, as {@code testbed proxy} prints it. */
    public String line() {
        return String.format(Locale.ROOT, "ClientConnections=%d DatabaseConnections=%d"
                + " DatabaseConnectionsCurrentlySessionPinned=%d DatabaseConnectionsBorrowLatency=%dus"
                + " QueryResponseLatency=%dus QueryDatabaseResponseLatency=%dus waiting=%d borrowTimeouts=%d",
                clientConnections, databaseConnections, databaseConnectionsCurrentlySessionPinned, borrowLatencyMicros(),
                queryResponseLatencyMicros(), queryDatabaseResponseLatencyMicros(), clientsWaiting, borrowTimeouts);
    }
}

package dev.lambdalab.testbed.rdsproxy;

import java.util.Locale;

/**
 * The emulator's numbers at one instant, under RDS Proxy's CloudWatch metric names ("Monitoring RDS Proxy
 * metrics with Amazon CloudWatch", Amazon RDS User Guide), so that {@code testbed aws} and the local runs
 * print the same columns. Gauges are current values; counters and latencies are totals over the run, so two
 * snapshots give a period's numbers with {@link #since}; CloudWatch reports the latencies in microseconds. The
 * emulator is one proxy node: AWS publishes each metric per node, and its Sum over nodes is what these compare with.
 * Made with {@link #builder()}.
 *
 * @param clientConnections ClientConnections: client connections open now
 * @param databaseConnections DatabaseConnections: database connections open now (logging in included)
 * @param databaseConnectionsCurrentlySessionPinned DatabaseConnectionsCurrentlySessionPinned
 * @param databaseConnectionsBorrowed DatabaseConnectionsCurrentlyBorrowed: database connections linked to a client
 *     session now
 * @param databaseConnectionsInTransaction DatabaseConnectionsCurrentlyInTransaction: borrowed connections whose last
 *     ReadyForQuery said in a transaction
 * @param maxDatabaseConnectionsAllowed MaxDatabaseConnectionsAllowed: MaxConnectionsPercent of the target's limit
 * @param clientsWaiting client sessions waiting to borrow a database connection now (no CloudWatch name)
 * @param borrows borrows so far
 * @param borrowMicrosTotal DatabaseConnectionsBorrowLatency summed over the borrows
 * @param queryRequests QueryRequests: client requests received (a simple Query, or extended-protocol messages up to
 *     their Sync, counted once: "a query including multiple statements is counted as one query")
 * @param queries client requests answered so far
 * @param queryResponseMicrosTotal QueryResponseLatency summed: from the client's request to the proxy's first answer
 * @param databaseResponses requests the database answered so far
 * @param queryDatabaseResponseMicrosTotal QueryDatabaseResponseLatency summed: from the proxy's write to the
 *     database's answer
 * @param sessionsPinned client sessions that were ever pinned
 * @param borrowTimeouts requests refused with "Timed-out waiting to acquire database connection."
 * @param clientLimitRefusals clients refused at the client-connection limit
 * @param cancelRequestsDropped CancelRequests dropped (RDS Proxy does not forward them)
 * @param idleClientsClosed client connections closed by IdleClientTimeout
 * @param clientConnectionsReceived ClientConnectionsReceived: client connections accepted
 * @param clientConnectionsSetupSucceeded ClientConnectionsSetupSucceeded: clients logged in
 * @param clientConnectionsSetupFailedAuth ClientConnectionsSetupFailedAuth: clients refused for authentication or TLS
 * @param clientConnectionsClosed ClientConnectionsClosed
 * @param databaseConnectionRequests DatabaseConnectionRequests: database connections the proxy began to open
 * @param databaseConnectionsSetupSucceeded DatabaseConnectionsSetupSucceeded: database connections ready for use
 * @param databaseConnectionFailures DatabaseConnectionsSetupFailed: database connections that never became ready
 */
public record ProxyMetrics(
        int clientConnections, int databaseConnections, int databaseConnectionsCurrentlySessionPinned,
        int databaseConnectionsBorrowed, int databaseConnectionsInTransaction, int maxDatabaseConnectionsAllowed,
        int clientsWaiting, long borrows, long borrowMicrosTotal, long queryRequests, long queries,
        long queryResponseMicrosTotal, long databaseResponses, long queryDatabaseResponseMicrosTotal,
        long sessionsPinned, long borrowTimeouts, long clientLimitRefusals, long cancelRequestsDropped,
        long idleClientsClosed, long clientConnectionsReceived, long clientConnectionsSetupSucceeded,
        long clientConnectionsSetupFailedAuth, long clientConnectionsClosed, long databaseConnectionRequests,
        long databaseConnectionsSetupSucceeded, long databaseConnectionFailures) {

    /** Every number zero until set. */
    public static Builder builder() {
        return new Builder();
    }

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
        return builder()
                .clientConnections(clientConnections)
                .databaseConnections(databaseConnections)
                .databaseConnectionsCurrentlySessionPinned(databaseConnectionsCurrentlySessionPinned)
                .databaseConnectionsBorrowed(databaseConnectionsBorrowed)
                .databaseConnectionsInTransaction(databaseConnectionsInTransaction)
                .maxDatabaseConnectionsAllowed(maxDatabaseConnectionsAllowed)
                .clientsWaiting(clientsWaiting)
                .borrows(borrows - earlier.borrows)
                .borrowMicrosTotal(borrowMicrosTotal - earlier.borrowMicrosTotal)
                .queryRequests(queryRequests - earlier.queryRequests)
                .queries(queries - earlier.queries)
                .queryResponseMicrosTotal(queryResponseMicrosTotal - earlier.queryResponseMicrosTotal)
                .databaseResponses(databaseResponses - earlier.databaseResponses)
                .queryDatabaseResponseMicrosTotal(
                        queryDatabaseResponseMicrosTotal - earlier.queryDatabaseResponseMicrosTotal)
                .sessionsPinned(sessionsPinned - earlier.sessionsPinned)
                .borrowTimeouts(borrowTimeouts - earlier.borrowTimeouts)
                .clientLimitRefusals(clientLimitRefusals - earlier.clientLimitRefusals)
                .cancelRequestsDropped(cancelRequestsDropped - earlier.cancelRequestsDropped)
                .idleClientsClosed(idleClientsClosed - earlier.idleClientsClosed)
                .clientConnectionsReceived(clientConnectionsReceived - earlier.clientConnectionsReceived)
                .clientConnectionsSetupSucceeded(
                        clientConnectionsSetupSucceeded - earlier.clientConnectionsSetupSucceeded)
                .clientConnectionsSetupFailedAuth(
                        clientConnectionsSetupFailedAuth - earlier.clientConnectionsSetupFailedAuth)
                .clientConnectionsClosed(clientConnectionsClosed - earlier.clientConnectionsClosed)
                .databaseConnectionRequests(databaseConnectionRequests - earlier.databaseConnectionRequests)
                .databaseConnectionsSetupSucceeded(
                        databaseConnectionsSetupSucceeded - earlier.databaseConnectionsSetupSucceeded)
                .databaseConnectionFailures(databaseConnectionFailures - earlier.databaseConnectionFailures)
                .build();
    }

    /** One line with CloudWatch's names, as {@code testbed proxy} prints it. */
    public String line() {
        return String.format(Locale.ROOT, "ClientConnections=%d DatabaseConnections=%d"
                + " DatabaseConnectionsCurrentlySessionPinned=%d DatabaseConnectionsBorrowLatency=%dus"
                + " QueryResponseLatency=%dus QueryDatabaseResponseLatency=%dus waiting=%d borrowTimeouts=%d"
                + " DatabaseConnectionsCurrentlyInTransaction=%d MaxDatabaseConnectionsAllowed=%d QueryRequests=%d",
                clientConnections, databaseConnections, databaseConnectionsCurrentlySessionPinned,
                borrowLatencyMicros(), queryResponseLatencyMicros(), queryDatabaseResponseLatencyMicros(), clientsWaiting,
                borrowTimeouts, databaseConnectionsInTransaction, maxDatabaseConnectionsAllowed, queryRequests);
    }

    /** Sets each number by its name; the rest stay zero. */
    public static final class Builder {

        private int clientConnections;
        private int databaseConnections;
        private int databaseConnectionsCurrentlySessionPinned;
        private int databaseConnectionsBorrowed;
        private int databaseConnectionsInTransaction;
        private int maxDatabaseConnectionsAllowed;
        private int clientsWaiting;
        private long borrows;
        private long borrowMicrosTotal;
        private long queryRequests;
        private long queries;
        private long queryResponseMicrosTotal;
        private long databaseResponses;
        private long queryDatabaseResponseMicrosTotal;
        private long sessionsPinned;
        private long borrowTimeouts;
        private long clientLimitRefusals;
        private long cancelRequestsDropped;
        private long idleClientsClosed;
        private long clientConnectionsReceived;
        private long clientConnectionsSetupSucceeded;
        private long clientConnectionsSetupFailedAuth;
        private long clientConnectionsClosed;
        private long databaseConnectionRequests;
        private long databaseConnectionsSetupSucceeded;
        private long databaseConnectionFailures;

        public Builder clientConnections(int value) {
            this.clientConnections = value;
            return this;
        }

        public Builder databaseConnections(int value) {
            this.databaseConnections = value;
            return this;
        }

        public Builder databaseConnectionsCurrentlySessionPinned(int value) {
            this.databaseConnectionsCurrentlySessionPinned = value;
            return this;
        }

        public Builder databaseConnectionsBorrowed(int value) {
            this.databaseConnectionsBorrowed = value;
            return this;
        }

        public Builder databaseConnectionsInTransaction(int value) {
            this.databaseConnectionsInTransaction = value;
            return this;
        }

        public Builder maxDatabaseConnectionsAllowed(int value) {
            this.maxDatabaseConnectionsAllowed = value;
            return this;
        }

        public Builder clientsWaiting(int value) {
            this.clientsWaiting = value;
            return this;
        }

        public Builder borrows(long value) {
            this.borrows = value;
            return this;
        }

        public Builder borrowMicrosTotal(long value) {
            this.borrowMicrosTotal = value;
            return this;
        }

        public Builder queryRequests(long value) {
            this.queryRequests = value;
            return this;
        }

        public Builder queries(long value) {
            this.queries = value;
            return this;
        }

        public Builder queryResponseMicrosTotal(long value) {
            this.queryResponseMicrosTotal = value;
            return this;
        }

        public Builder databaseResponses(long value) {
            this.databaseResponses = value;
            return this;
        }

        public Builder queryDatabaseResponseMicrosTotal(long value) {
            this.queryDatabaseResponseMicrosTotal = value;
            return this;
        }

        public Builder sessionsPinned(long value) {
            this.sessionsPinned = value;
            return this;
        }

        public Builder borrowTimeouts(long value) {
            this.borrowTimeouts = value;
            return this;
        }

        public Builder clientLimitRefusals(long value) {
            this.clientLimitRefusals = value;
            return this;
        }

        public Builder cancelRequestsDropped(long value) {
            this.cancelRequestsDropped = value;
            return this;
        }

        public Builder idleClientsClosed(long value) {
            this.idleClientsClosed = value;
            return this;
        }

        public Builder clientConnectionsReceived(long value) {
            this.clientConnectionsReceived = value;
            return this;
        }

        public Builder clientConnectionsSetupSucceeded(long value) {
            this.clientConnectionsSetupSucceeded = value;
            return this;
        }

        public Builder clientConnectionsSetupFailedAuth(long value) {
            this.clientConnectionsSetupFailedAuth = value;
            return this;
        }

        public Builder clientConnectionsClosed(long value) {
            this.clientConnectionsClosed = value;
            return this;
        }

        public Builder databaseConnectionRequests(long value) {
            this.databaseConnectionRequests = value;
            return this;
        }

        public Builder databaseConnectionsSetupSucceeded(long value) {
            this.databaseConnectionsSetupSucceeded = value;
            return this;
        }

        public Builder databaseConnectionFailures(long value) {
            this.databaseConnectionFailures = value;
            return this;
        }

        public ProxyMetrics build() {
            return new ProxyMetrics(clientConnections, databaseConnections, databaseConnectionsCurrentlySessionPinned,
                    databaseConnectionsBorrowed, databaseConnectionsInTransaction,
                    maxDatabaseConnectionsAllowed, clientsWaiting, borrows, borrowMicrosTotal, queryRequests,
                    queries, queryResponseMicrosTotal, databaseResponses, queryDatabaseResponseMicrosTotal,
                    sessionsPinned, borrowTimeouts, clientLimitRefusals, cancelRequestsDropped,
                    idleClientsClosed, clientConnectionsReceived, clientConnectionsSetupSucceeded,
                    clientConnectionsSetupFailedAuth, clientConnectionsClosed, databaseConnectionRequests,
                    databaseConnectionsSetupSucceeded, databaseConnectionFailures);
        }
    }
}

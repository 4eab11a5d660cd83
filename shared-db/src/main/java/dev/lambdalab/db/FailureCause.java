package dev.lambdalab.db;

/**
 * The named reasons a request could not get or use a database connection. Each carries the HTTP
 * status a handler answers with and a one-line hint for the reader of that answer.
 */
public enum FailureCause {

    POOL_TIMEOUT(503, "HikariCP waited its connectionTimeout and got no connection (the Java twin of Prisma's"
            + " P2024): the pool is busy or the database refuses new connections. Use one static pool of size 1"
            + " per environment behind RDS Proxy."),
    ROLE_CONNECTION_LIMIT(503, "The role's CONNECTION LIMIT is reached: environments x pool size is above it."
            + " Use a static pool of size 1 behind RDS Proxy, or cap the function's concurrency."),
    SERVER_CONNECTION_LIMIT(503, "The server's max_connections is reached: environments x pool size is above"
            + " it. Put RDS Proxy in front, size pools to 1, or cap the function's concurrency."),
    PROXY_WAIT_TIMEOUT(503, "The proxy queued the request longer than its wait timeout (ConnectionBorrowTimeout,"
            + " PgBouncer query_wait_timeout): all its database connections were busy. Shorten transactions,"
            + " raise MaxConnectionsPercent, or cap concurrency."),
    PROXY_CLIENT_LIMIT(503, "The proxy refuses more client connections (PgBouncer max_client_conn): too many"
            + " environments or too many connections per environment. Use pools of size 1."),
    CONNECT_TIMEOUT(503, "No answer within the connect timeout: the endpoint is unreachable (security group,"
            + " subnet route) or overloaded."),
    CONNECTION_REFUSED(503, "Nothing accepts connections at that host and port: wrong endpoint, or the database"
            + " or proxy is down or restarting."),
    CONNECTION_LOST(503, "The connection broke while in use (server restart, proxy restart, network):"
            + " the pool replaces it; retry the request."),
    QUERY_TIMEOUT(503, "The query outlived the socket timeout or was cancelled: make it faster or raise"
            + " DB_SOCKET_TIMEOUT_S, staying below the function timeout."),
    AUTHENTICATION(503, "The database or proxy rejected the credentials: check the secret, the role and the"
            + " proxy's auth settings (or the IAM policy for rds-db:connect)."),
    OTHER(500, "An unexpected database error; see the function's log for the stack trace.");

    private final int httpStatus;
    private final String hint;

    FailureCause(int httpStatus, String hint) {
        this.httpStatus = httpStatus;
        this.hint = hint;
    }

    public int httpStatus() {
        return httpStatus;
    }

    public String hint() {
        return hint;
    }

    /** True for the causes that mean "no connection slot was free" somewhere along the way. */
    public boolean isCapacity() {
        return this == POOL_TIMEOUT || this == ROLE_CONNECTION_LIMIT || this == SERVER_CONNECTION_LIMIT
                || this == PROXY_WAIT_TIMEOUT || this == PROXY_CLIENT_LIMIT;
    }
}

package dev.lambdalab.testbed.bench;

/**
 * Where a storm of cold starts behind a transaction-mode proxy begins to fail, from Little's law.
 *
 * <p>{@code callers} environments each keep one request outstanding (a closed loop: a caller sends its next
 * request when the last is answered), every request holds one of the proxy's {@code databaseConnections} for
 * {@code holdMillis}. Once every caller waits at the proxy, it completes {@code N / S} requests per second, so by
 * Little's law ({@code L = λW}) a request spends {@code c·S/N} there, of which {@code c·S/N − S} waiting for a
 * database connection. Every statement of a new connection's setup that needs a database connection waits as
 * long; {@code setupStatements} of them must finish within the pool's {@code connectionTimeout}, or the cold
 * start's first request gets {@code POOL_TIMEOUT}. And the request's own query must get its database connection
 * within the proxy's {@code ConnectionBorrowTimeout}.
 *
 * <p>The model assumes the worst case, every caller already queued when a new environment connects. In a real
 * storm the environments come up over the time their inits take, so the measured limit sits above it.
 *
 * @param databaseConnections the proxy's database connections, {@code N}
 * @param holdMillis how long each request holds one, {@code S}
 * @param poolTimeoutMillis the pool's connectionTimeout, {@code T}
 * @param borrowTimeoutMillis the proxy's ConnectionBorrowTimeout, {@code B}
 * @param setupStatements statements of a new connection that need a database connection at the proxy, {@code k}
 */
public record StormModel(int databaseConnections, int holdMillis, int poolTimeoutMillis, int borrowTimeoutMillis,
        int setupStatements) {

    public StormModel {
        require(databaseConnections >= 1, "databaseConnections must be at least 1, got " + databaseConnections);
        require(holdMillis >= 1, "holdMillis must be at least 1 ms, got " + holdMillis);
        require(poolTimeoutMillis >= 1, "poolTimeoutMillis must be at least 1 ms, got " + poolTimeoutMillis);
        require(borrowTimeoutMillis >= 1, "borrowTimeoutMillis must be at least 1 ms, got " + borrowTimeoutMillis);
        require(setupStatements >= 0, "setupStatements must be 0 or more, got " + setupStatements);
    }

    /** The wait for a database connection at the proxy with {@code callers} queued: {@code c·S/N − S}, at least 0. */
    public double waitMillis(int callers) {
        return Math.max(0, (double) callers * holdMillis / databaseConnections - holdMillis);
    }

    /** True when a cold start's setup ({@code k·W}) and its query's wait ({@code W}) fit their timeouts. */
    public boolean holds(int callers) {
        double wait = waitMillis(callers);
        return setupStatements * wait <= poolTimeoutMillis && wait <= borrowTimeoutMillis;
    }

    /** The most callers whose cold starts fit: {@code min(N(T/k + S)/S, N(B + S)/S)}. */
    public int limit() {
        return (int) Math.floor(Math.min(limitBySetup(), limitByBorrow()));
    }

    /** Which bound {@link #limit()} comes from. */
    public String bindingTimeout() {
        return limitBySetup() <= limitByBorrow()
                ? "the pool's connectionTimeout over " + setupStatements + " setup statements"
                : "the proxy's ConnectionBorrowTimeout";
    }

    /** {@code N(T/k + S)/S}: the setup's k waits within the pool's connectionTimeout (none without setup). */
    private double limitBySetup() {
        return setupStatements == 0 ? Double.MAX_VALUE
                : (double) databaseConnections * ((double) poolTimeoutMillis / setupStatements + holdMillis) / holdMillis;
    }

    /** {@code N(B + S)/S}: the query's wait within the proxy's ConnectionBorrowTimeout. */
    private double limitByBorrow() {
        return (double) databaseConnections * (borrowTimeoutMillis + holdMillis) / holdMillis;
    }

    private static void require(boolean condition, String message) {
        if (!condition) {
            throw new IllegalArgumentException(message);
        }
    }
}

package dev.lambdalab.testbed.proxy;

import java.time.Duration;
import java.util.Objects;

/**
 * RDS Proxy's connection settings, with the names template.yaml gives them, and how the test bed turns
 * them into PgBouncer's:
 *
 * <table>
 *   <caption>RDS Proxy setting to PgBouncer setting</caption>
 *   <tr><th>RDS Proxy (template.yaml)</th><th>PgBouncer</th></tr>
 *   <tr><td>MaxConnectionsPercent x the server's limit</td><td>default_pool_size = max_db_connections</td></tr>
 *   <tr><td>ConnectionBorrowTimeout</td><td>query_wait_timeout</td></tr>
 *   <tr><td>IdleClientTimeout</td><td>client_idle_timeout</td></tr>
 *   <tr><td>(no RDS Proxy equivalent; RDS Proxy scales its client side)</td><td>max_client_conn</td></tr>
 * </table>
 *
 * @param maxConnectionsPercent share of the server's connection limit the proxy may use, 1 to 100
 * @param connectionBorrowTimeout how long a request waits for a database connection
 * @param idleClientTimeout how long a client connection may sit idle before the proxy closes it
 * @param maxClientConnections client connections the proxy accepts
 * @param maxIdleConnectionsPercent share of the server's limit the proxy keeps as idle connections, 0 to
 *     {@code maxConnectionsPercent} (template.yaml sets it equal to MaxConnectionsPercent; PgBouncer has no
 *     equivalent)
 */
public record ProxySettings(int maxConnectionsPercent, Duration connectionBorrowTimeout, Duration idleClientTimeout,
        int maxClientConnections, int maxIdleConnectionsPercent) {

    /** The test bed's defaults: template.yaml's, with a client limit that a broken function can reach. */
    public static final ProxySettings DEFAULTS = new ProxySettings(50, Duration.ofSeconds(5), Duration.ofSeconds(1800),
            200, 50);

    /** Settings with MaxIdleConnectionsPercent equal to MaxConnectionsPercent, as template.yaml sets them. */
    public ProxySettings(int maxConnectionsPercent, Duration connectionBorrowTimeout, Duration idleClientTimeout,
            int maxClientConnections) {
        this(maxConnectionsPercent, connectionBorrowTimeout, idleClientTimeout, maxClientConnections,
                maxConnectionsPercent);
    }

    public ProxySettings {
        if (maxConnectionsPercent < 1 || maxConnectionsPercent > 100) {
            throw new IllegalArgumentException("MaxConnectionsPercent must be from 1 to 100, got " + maxConnectionsPercent);
        }
        Objects.requireNonNull(connectionBorrowTimeout, "connectionBorrowTimeout");
        Objects.requireNonNull(idleClientTimeout, "idleClientTimeout");
        // RDS Proxy's range ("ConnectionPoolConfigurationInfo", RDS API Reference): 0 to 300 s, 0 failing a borrow
        // that finds no free connection at once.
        if (connectionBorrowTimeout.isNegative() || connectionBorrowTimeout.toMillis() > 300_000) {
            throw new IllegalArgumentException("ConnectionBorrowTimeout must be from 0 to 300 seconds, got "
                    + connectionBorrowTimeout.toSeconds());
        }
        if (idleClientTimeout.toSeconds() < 1 || idleClientTimeout.toSeconds() > 28_800) {
            throw new IllegalArgumentException("IdleClientTimeout must be from 1 to 28800 seconds, got "
                    + idleClientTimeout.toSeconds());
        }
        if (maxClientConnections < 2 || maxClientConnections > 100_000) {
            throw new IllegalArgumentException("maxClientConnections must be from 2 to 100000, got " + maxClientConnections);
        }
        if (maxIdleConnectionsPercent < 0 || maxIdleConnectionsPercent > maxConnectionsPercent) {
            throw new IllegalArgumentException("MaxIdleConnectionsPercent must be from 0 to MaxConnectionsPercent ("
                    + maxConnectionsPercent + "), got " + maxIdleConnectionsPercent);
        }
    }

    /** The proxy's database connections: MaxConnectionsPercent of the server's limit, at least 1. */
    public int databaseConnections(int serverConnectionLimit) {
        return Math.max(1, serverConnectionLimit * maxConnectionsPercent / 100);
    }

    /** MaxConnectionsPercent; MaxIdleConnectionsPercent follows it down when it was larger. */
    public ProxySettings withMaxConnectionsPercent(int percent) {
        return new ProxySettings(percent, connectionBorrowTimeout, idleClientTimeout, maxClientConnections,
                Math.min(maxIdleConnectionsPercent, percent));
    }

    public ProxySettings withConnectionBorrowTimeout(Duration timeout) {
        return new ProxySettings(maxConnectionsPercent, timeout, idleClientTimeout, maxClientConnections,
                maxIdleConnectionsPercent);
    }

    public ProxySettings withIdleClientTimeout(Duration timeout) {
        return new ProxySettings(maxConnectionsPercent, connectionBorrowTimeout, timeout, maxClientConnections,
                maxIdleConnectionsPercent);
    }

    public ProxySettings withMaxClientConnections(int connections) {
        return new ProxySettings(maxConnectionsPercent, connectionBorrowTimeout, idleClientTimeout, connections,
                maxIdleConnectionsPercent);
    }

    public ProxySettings withMaxIdleConnectionsPercent(int percent) {
        return new ProxySettings(maxConnectionsPercent, connectionBorrowTimeout, idleClientTimeout,
                maxClientConnections, percent);
    }
}

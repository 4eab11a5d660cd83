package dev.lambdalab.db;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The pool of the fixed handler: one per execution environment, built during init and sized for
 * Lambda, where an environment serves one request at a time and may be frozen between requests.
 */
public final class LambdaPool {

    private static final Logger LOG = LoggerFactory.getLogger(LambdaPool.class);

    private LambdaPool() {
    }

    /** Builds the environment's pool. It opens no connection itself: see initializationFailTimeout below. */
    public static HikariDataSource create(ConnectionSpec connection) {
        DbSettings settings = connection.settings();
        HikariConfig config = connection.hikariConfig("fixed");
        // One request at a time per environment, so one connection is all it can use; concurrency comes
        // from more environments, and RDS Proxy multiplexes their connections.
        config.setMaximumPoolSize(settings.poolMaxSize());
        // 1 = a fixed-size pool, as HikariCP recommends; its connection is opened in the background
        // during init, so the first request rarely waits for a TCP and TLS handshake.
        config.setMinimumIdle(settings.poolMinIdle());
        // Far below the function timeout: a caller gets a 503 with a cause, never a Lambda timeout.
        config.setConnectionTimeout(settings.poolTimeoutMillis());
        // A thawed environment may hold a connection the server or proxy closed while it was frozen;
        // checking it must not eat the whole connectionTimeout.
        config.setValidationTimeout(settings.poolValidationTimeoutMillis());
        // Hand idle connections back to the server; only meaningful (and only set, else HikariCP warns)
        // when minimumIdle < maximumPoolSize.
        if (settings.poolMinIdle() < settings.poolMaxSize()) {
            config.setIdleTimeout(settings.poolIdleTimeoutMillis());
        }
        // Below RDS Proxy's IdleClientTimeout: the pool retires a connection before the proxy drops it.
        config.setMaxLifetime(settings.poolMaxLifetimeMillis());
        // Keeps a warm, idle connection alive through NAT and proxy idle timers (not while frozen).
        config.setKeepaliveTime(settings.poolKeepaliveMillis());
        // -1: do not connect while building the pool. With a database that is down at a cold start the
        // environment still initialises; requests get a 503 until the database is back, then recover,
        // instead of the environment failing its init (and every retry of it) for good.
        config.setInitializationFailTimeout(-1);
        HikariDataSource pool = new HikariDataSource(config);
        LOG.info("[env {}] pool {} created: maximumPoolSize={} minimumIdle={} connectionTimeout={}ms"
                        + " validationTimeout={}ms idleTimeout={}ms maxLifetime={}ms keepaliveTime={}ms url={}"
                        + " applicationName={} credentials={}",
                ExecutionEnvironment.shortId(), config.getPoolName(), config.getMaximumPoolSize(),
                config.getMinimumIdle(), config.getConnectionTimeout(), config.getValidationTimeout(),
                config.getIdleTimeout(), config.getMaxLifetime(), config.getKeepaliveTime(), connection.jdbcUrl(),
                connection.applicationName(), connection.credentials());
        return pool;
    }
}

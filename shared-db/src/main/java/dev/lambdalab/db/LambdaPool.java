package dev.lambdalab.db;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The pool of the fixed handler: one per execution environment, built during init and sized for the
 * environment's concurrency: one connection on classic Lambda, where an environment serves one request at a
 * time and may be frozen between requests; as many as the environment's threads on Lambda Managed Instances,
 * where one environment serves up to PerExecutionEnvironmentMaxConcurrency requests at once and is never frozen.
 * The handler's code is the same for both: only the setting differs ({@link DbSettings#poolMaxSize()}).
 *
 * <h2>What a new connection costs behind RDS Proxy</h2>
 * Behind a transaction-level proxy every statement outside a transaction borrows a database connection,
 * and during a storm of cold starts each borrow queues. So the statements a new connection runs before its
 * first query decide how big a storm the fixed function survives. What remains, counted by the RDS Proxy
 * emulator ({@code ConnectionSetupIT}):
 * <ul>
 *   <li>pgjdbc's {@code SET extra_float_digits} and {@code SET application_name}: removed, they travel in the
 *       startup packet ({@link ConnectionSpec#ASSUME_MIN_SERVER_VERSION}); they would also pin the session.
 *   <li>HikariCP's checks of a pool's first connection ({@code PoolBase.checkDriverSupport}):
 *       {@code Connection.isValid(1)} and {@code getTransactionIsolation()} ({@code SHOW TRANSACTION ISOLATION
 *       LEVEL}). No setting turns them off, and each environment has its own pool, so every cold start runs
 *       them: 2 borrows, then 1 for its query.
 *   <li>HikariCP's check before lending a connection idle longer than 500 ms ({@code aliveBypassWindowMs}):
 *       kept, it is what finds a connection that died while the environment was frozen. It costs a warm
 *       request after a pause 1 borrow more; under load connections are never idle that long.
 * </ul>
 * The bound, by Little's law: with {@code c} environments starting at once, {@code N} database connections at
 * the proxy and {@code S} per request, every borrow waits about {@code W = c·S/N − S}. A cold start's 2 setup
 * statements must finish within {@code connectionTimeout} ({@code T}): {@code 2W ≤ T}, so
 * {@code c ≤ N(T/2 + S)/S}; its query must get a connection within the proxy's ConnectionBorrowTimeout
 * ({@code B}): {@code c ≤ N(B + S)/S}. With the defaults (N 5, T 3 s, B 5 s) and S 50 ms that is 155
 * environments at once, a bound for the worst case where all are queued together; {@code testbed bench storm}
 * measures it (docs/load-testing.md, "Where the design's limit is").
 */
public final class LambdaPool {

    private static final Logger LOG = LoggerFactory.getLogger(LambdaPool.class);

    private LambdaPool() {
    }

    /**
     * Builds the environment's pool, named {@code poolName-ENVIRONMENT} in HikariCP's log lines. It opens no
     * connection itself: see initializationFailTimeout below.
     */
    public static HikariDataSource create(ConnectionSpec connection, String poolName) {
        return create(connection, poolName, false);
    }

    /**
     * The same pool, which can also be emptied and suspended before a SnapStart snapshot and resumed after
     * each restore ({@link PoolCheckpoint}). HikariCP only allows that when the pool was built for it:
     * suspension puts a semaphore in front of every borrow, so plain pools go without.
     */
    public static HikariDataSource createSuspendable(ConnectionSpec connection, String poolName) {
        return create(connection, poolName, true);
    }

    private static HikariDataSource create(ConnectionSpec connection, String poolName, boolean suspendable) {
        DbSettings settings = connection.settings();
        HikariConfig config = connection.hikariConfig(poolName);
        // As many connections as invocations this environment runs at once, and no more. Classic Lambda: one
        // request at a time, so 1; concurrency comes from more environments, and RDS Proxy multiplexes their
        // connections. Managed Instances: AWS_LAMBDA_MAX_CONCURRENCY threads share this pool ("Java runtime for
        // Lambda Managed Instances"), and a pool of 1 would make all but one of them queue for its connection.
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
        // Under SnapStart, 0: one attempt to connect while building the pool, which starts whether it succeeds
        // or not (HikariConfig's initializationFailTimeout). With -1 HikariCP opens the first connection on a
        // thread of its own, and a login still under way when the beforeCheckpoint hook empties the pool ends
        // afterwards, into the snapshot: dead in every restored copy, whose first request then fails with
        // "Broken pipe" (SnapStartIT caught it with IAM over TLS, where the login is slowest). Init is the
        // publish, not a request, so the wait costs no caller anything. When that one attempt fails, HikariCP's
        // background fill can still be logging in at the checkpoint: PoolCheckpoint.resume evicts what it leaves.
        config.setInitializationFailTimeout(suspendable ? 0 : -1);
        config.setAllowPoolSuspension(suspendable);
        HikariDataSource pool = new HikariDataSource(config);
        LOG.info("[env {}] pool {} created: maximumPoolSize={} minimumIdle={} connectionTimeout={}ms"
                        + " validationTimeout={}ms idleTimeout={}ms maxLifetime={}ms keepaliveTime={}ms url={}"
                        + " applicationName={} credentials={}",
                ExecutionEnvironment.shortId(), config.getPoolName(), config.getMaximumPoolSize(),
                config.getMinimumIdle(), config.getConnectionTimeout(), config.getValidationTimeout(),
                config.getIdleTimeout(), config.getMaxLifetime(), config.getKeepaliveTime(), connection.jdbcUrl(),
                connection.applicationName(), connection.credentials());
        smallerThanConcurrency(settings).ifPresent(reason -> LOG.warn("[env {}] pool {}: {}",
                ExecutionEnvironment.shortId(), config.getPoolName(), reason));
        return pool;
    }

    /**
     * Why the pool has fewer connections than the environment has threads, when it does: the invocations beyond
     * the pool's size wait for a connection, each for at most connectionTimeout, then fail with a pool timeout.
     * Empty when every invocation in flight can hold a connection.
     */
    static Optional<String> smallerThanConcurrency(DbSettings settings) {
        int size = settings.poolMaxSize();
        int concurrency = settings.environmentConcurrency();
        if (size >= concurrency) {
            return Optional.empty();
        }
        return Optional.of("maximumPoolSize " + size + " is below this environment's concurrency "
                + concurrency + " (AWS_LAMBDA_MAX_CONCURRENCY): up to " + (concurrency - size) + " invocations at a time"
                + " wait for a connection, each for at most connectionTimeout " + settings.poolTimeoutMillis()
                + " ms; the size comes from POOL_MAX_SIZE (" + settings.origin(Setting.POOL_MAX_SIZE) + ")"
                + (size == 1 ? ", the rule for classic Lambda, where an environment serves one request at a time" : ""));
    }
}

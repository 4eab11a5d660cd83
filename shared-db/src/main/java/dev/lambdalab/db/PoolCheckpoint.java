package dev.lambdalab.db;

import com.zaxxer.hikari.HikariDataSource;
import com.zaxxer.hikari.HikariPoolMXBean;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.concurrent.locks.LockSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What a pool built during init must do around a SnapStart snapshot: hold no connection in it, and come
 * back after each restore. Called from {@code org.crac} hooks, which this class does not depend on.
 *
 * <p>Why: a snapshot is restored into many environments, possibly days later. A connection in it is a
 * TCP socket every copy shares and none can use (the server or RDS Proxy closed it long ago), so the first
 * borrow of every copy would get a dead connection or spend the validation timeout finding out. Hence:
 *
 * <ul>
 *   <li>before the checkpoint, <b>suspend</b> the pool (borrows wait, HikariCP adds no connection) and
 *       <b>evict</b> what it holds, then wait until it holds nothing;</li>
 *   <li>after the restore, <b>evict</b> whatever it holds and <b>resume</b> it: the first borrow opens a fresh
 *       connection.</li>
 * </ul>
 *
 * <p>Why evict again at the restore: suspension stops HikariCP from starting a login, not one already under way.
 * A login HikariCP began on its own thread before the hook (its background fill, when the connection at init
 * failed or was lost) can finish after the pool was emptied, and its connection goes into the snapshot. The
 * suspended pool lends nothing until the restore, so at the restore every connection it holds is such a one, idle,
 * and closing it costs no caller anything.
 *
 * <p>Not {@code close()}: HikariCP cannot restart a pool after shutdown (HikariCP issue 2082), so a pool
 * closed before the checkpoint would be useless in every copy. The pool must be built with
 * {@link LambdaPool#createSuspendable}.
 */
public final class PoolCheckpoint {

    private static final Logger LOG = LoggerFactory.getLogger(PoolCheckpoint.class);
    /** How long the hook waits for HikariCP to close what it evicted: closes are quick on a live socket. */
    public static final Duration DEFAULT_DRAIN_TIMEOUT = Duration.ofSeconds(5);

    private final HikariDataSource pool;
    private final Clock clock;
    private final Duration drainTimeout;

    public PoolCheckpoint(HikariDataSource pool) {
        this(pool, Clock.systemUTC(), DEFAULT_DRAIN_TIMEOUT);
    }

    public PoolCheckpoint(HikariDataSource pool, Clock clock, Duration drainTimeout) {
        this.pool = Objects.requireNonNull(pool, "pool");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.drainTimeout = Objects.requireNonNull(drainTimeout, "drainTimeout");
        if (!pool.isAllowPoolSuspension()) {
            throw new IllegalArgumentException("pool " + pool.getPoolName() + " was built without allowPoolSuspension:"
                    + " build it with LambdaPool.createSuspendable to empty it before a snapshot");
        }
        if (drainTimeout.isNegative() || drainTimeout.isZero()) {
            throw new IllegalArgumentException("drainTimeout must be positive, got " + drainTimeout);
        }
    }

    /**
     * Suspends the pool and closes its connections; returns once it holds none.
     *
     * @return how many connections it closed
     * @throws IllegalStateException when connections remain after the drain timeout (one in use: a
     *     checkpoint during an invocation, which Lambda never does)
     */
    public int emptyAndSuspend() {
        HikariPoolMXBean bean = bean();
        bean.suspendPool();
        int held = bean.getTotalConnections();
        bean.softEvictConnections();
        Instant deadline = clock.instant().plus(drainTimeout);
        while (bean.getTotalConnections() > 0) {
            if (!clock.instant().isBefore(deadline)) {
                throw new IllegalStateException("pool " + pool.getPoolName() + " still holds " + bean.getTotalConnections()
                        + " connection(s) " + drainTimeout.toMillis() + " ms after evicting them ("
                        + bean.getActiveConnections() + " in use): a snapshot would carry them");
            }
            LockSupport.parkNanos(1_000_000L); // HikariCP closes evicted connections on its own thread
        }
        LOG.info("[env {}] pool {} suspended for the snapshot: {} connection(s) closed, 0 held",
                ExecutionEnvironment.shortId(), pool.getPoolName(), held);
        return held;
    }

    /**
     * Evicts any connection that reached the pool after {@link #emptyAndSuspend} (see the class comment), then
     * resumes it; its first borrow opens a new connection.
     *
     * @return how many such connections it evicted (0 unless a login was under way at the checkpoint)
     */
    public int resume() {
        HikariPoolMXBean bean = bean();
        int late = bean.getTotalConnections();
        if (late > 0) {
            bean.softEvictConnections(); // all idle: the suspended pool lent nothing since the checkpoint
            LOG.warn("[env {}] pool {}: {} connection(s) from a login that finished after the pool was emptied were"
                    + " in the snapshot; evicted before the first request", ExecutionEnvironment.shortId(),
                    pool.getPoolName(), late);
        }
        bean.resumePool();
        LOG.info("[env {}] pool {} resumed after restore", ExecutionEnvironment.shortId(), pool.getPoolName());
        return late;
    }

    private HikariPoolMXBean bean() {
        HikariPoolMXBean bean = pool.getHikariPoolMXBean();
        if (bean == null) {
            throw new IllegalStateException("pool " + pool.getPoolName() + " is not running");
        }
        return bean;
    }
}

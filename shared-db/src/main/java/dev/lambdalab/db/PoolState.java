package dev.lambdalab.db;

import com.zaxxer.hikari.HikariDataSource;
import com.zaxxer.hikari.HikariPoolMXBean;
import javax.sql.DataSource;

/**
 * A pool's counters at one moment, as HikariCP reports them: {@code total/active/idle/waiting}.
 *
 * @param name the pool name ({@code fixed-ENV-1}, {@code broken-ENV-37})
 * @param total connections the pool holds
 * @param active connections lent out
 * @param idle connections waiting in the pool
 * @param waiting threads waiting for a connection
 */
public record PoolState(String name, int total, int active, int idle, int waiting) {

    /** The state of a HikariCP pool, or {@code null} for any other DataSource or a pool not yet started. */
    public static PoolState of(DataSource dataSource) {
        if (!(dataSource instanceof HikariDataSource hikari)) {
            return null;
        }
        HikariPoolMXBean bean = hikari.getHikariPoolMXBean();
        if (bean == null) {
            return null;
        }
        return new PoolState(hikari.getPoolName(), bean.getTotalConnections(), bean.getActiveConnections(),
                bean.getIdleConnections(), bean.getThreadsAwaitingConnection());
    }

    /** {@code fixed-ENV-1 total=1 active=1 idle=0 waiting=0}, the form every log line uses. */
    @Override
    public String toString() {
        return name + " total=" + total + " active=" + active + " idle=" + idle + " waiting=" + waiting;
    }
}

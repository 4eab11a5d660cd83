package dev.lambdalab.testbed.stack;

import java.util.Locale;

/**
 * The pool size of one function on Lambda Managed Instances, by Little's law and the proxy's budget: each
 * environment's threads hold {@code concurrency x holdShare} connections at once on average, so that is what the
 * pool needs for no thread to wait; and the environments together cannot use more than the proxy's database
 * connections, so a pool larger than {@code proxyConnections / maxEnvironments} only moves the queue from the pool
 * (bounded by POOL_TIMEOUT_MS, a few seconds) to the proxy (bounded by ConnectionBorrowTimeout). The right size is
 * the smaller of the two.
 *
 * <p>On classic Lambda {@code concurrency} is 1 and the rule gives the familiar pool of 1.
 *
 * @param concurrency invocations one environment runs at once (PerExecutionEnvironmentMaxConcurrency)
 * @param holdShare the share of an invocation's time it holds its connection (1: the whole request, as the
 *     handlers here do; 0.2: a request that spends 80 % of its time elsewhere)
 * @param proxyConnections the database connections the proxy may open (MaxConnectionsPercent of max_connections)
 * @param maxEnvironments the most environments the function can have (MaxExecutionEnvironments)
 */
public record PoolSizing(int concurrency, double holdShare, int proxyConnections, int maxEnvironments) {

    public PoolSizing {
        if (concurrency < 1) {
            throw new IllegalArgumentException("concurrency must be at least 1, got " + concurrency);
        }
        if (!(holdShare > 0 && holdShare <= 1)) {
            throw new IllegalArgumentException("holdShare must be above 0 and at most 1, got " + holdShare);
        }
        if (proxyConnections < 1 || maxEnvironments < 1) {
            throw new IllegalArgumentException("proxyConnections and maxEnvironments must be at least 1, got "
                    + proxyConnections + " and " + maxEnvironments);
        }
    }

    /** Connections the threads hold at once, by Little's law: what the pool needs for none of them to wait. */
    public int needed() {
        return (int) Math.ceil(concurrency * holdShare - 1e-9);
    }

    /** The pool's share of the proxy's connections when every environment is up. */
    public int budget() {
        return Math.max(1, proxyConnections / maxEnvironments);
    }

    /** The right size: what the threads need, within the budget. */
    public int right() {
        return Math.min(needed(), budget());
    }

    /** The arithmetic, as the check and the reports print it. */
    public String explain() {
        return String.format(Locale.ROOT, "%d threads x hold share %s = %d connections needed; %d proxy connections /"
                        + " %d environments at most = %d per environment; right size %d", concurrency,
                number(holdShare), needed(), proxyConnections, maxEnvironments, budget(), right());
    }

    private static String number(double value) {
        return value == Math.rint(value) ? Integer.toString((int) value) : String.format(Locale.ROOT, "%.2f", value);
    }
}

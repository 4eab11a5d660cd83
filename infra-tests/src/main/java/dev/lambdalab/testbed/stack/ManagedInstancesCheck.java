package dev.lambdalab.testbed.stack;

import dev.lambdalab.db.DbSettings;
import dev.lambdalab.testbed.stack.StackCheck.Finding;
import dev.lambdalab.testbed.stack.StackCheck.Rule;
import dev.lambdalab.testbed.stack.StackCheck.Verdict;
import java.util.List;
import java.util.Locale;
import java.util.OptionalInt;

/**
 * {@code testbed check}'s rules for a function on Lambda Managed Instances, where one environment runs up to
 * PerExecutionEnvironmentMaxConcurrency requests at once on threads that share its pool: the pool's size against
 * Little's law and the proxy's budget ({@link PoolSizing}), and the connections the whole fleet can open.
 */
final class ManagedInstancesCheck {

    private ManagedInstancesCheck() {
    }

    /**
     * The pool-size line: a pool of 1 with concurrency above 1 is the classic rule where it does not hold (a warning
     * naming the bottleneck), a pool below the right size a warning too, and the right size with its arithmetic.
     */
    static Finding poolSize(FunctionSpec function, ManagedSpec managed, DbSettings settings, int proxyConnections,
            double holdShare) {
        int pool = settings.poolMaxSize();
        OptionalInt bound = managed.environmentBound();
        int environments = bound.orElse(managed.minEnvironments());
        PoolSizing sizing = new PoolSizing(managed.concurrency(), holdShare, Math.max(1, proxyConnections),
                Math.max(1, environments));
        String arithmetic = sizing.explain() + (bound.isPresent() ? "" : " (no bound on environments: counted at"
                + " MinExecutionEnvironments " + managed.minEnvironments() + ")");
        if (pool == 1 && managed.concurrency() > 1) {
            return new Finding(Rule.POOL_SIZE, function.name(), String.format(Locale.ROOT, "pool of 1 with %d threads per"
                    + " environment: the bottleneck. The pool of 1 is the rule for classic Lambda; here %d threads queue"
                    + " on its connection and fail with POOL_TIMEOUT after %d ms. %s: set POOL_MAX_SIZE to %d, or leave"
                    + " it unset for one per thread", managed.concurrency(), managed.concurrency() - 1,
                    settings.poolTimeoutMillis(), arithmetic, sizing.right()), Verdict.WARNING);
        }
        if (pool < sizing.right()) {
            return new Finding(Rule.POOL_SIZE, function.name(), String.format(Locale.ROOT, "pool %d below the right size:"
                    + " %s; threads beyond %d wait in the pool", pool, arithmetic, pool), Verdict.WARNING);
        }
        return new Finding(Rule.POOL_SIZE, function.name(), String.format(Locale.ROOT, "pool %d (%s): %s", pool,
                settings.origin(dev.lambdalab.db.Setting.POOL_MAX_SIZE) == dev.lambdalab.db.Origin.UNSET
                        ? "one per thread, POOL_MAX_SIZE unset" : "POOL_MAX_SIZE", arithmetic), Verdict.OK);
    }

    /**
     * The fleet's connections: the most environments times the pool, against the proxy's database connections (a
     * pool beyond its share only queues at the proxy) or, straight to the database, added to the direct budget.
     *
     * @return the connections the fleet opens straight to the database (0 behind the proxy)
     */
    static int budget(FunctionSpec function, ManagedSpec managed, DbSettings settings, int proxyConnections,
            String where, List<Finding> findings) {
        OptionalInt bound = managed.environmentBound();
        if (bound.isEmpty()) {
            findings.add(new Finding(Rule.CONNECTION_BUDGET, function.name(), where + ": no bound on the environments"
                    + " (neither FunctionScalingConfig MaxExecutionEnvironments nor the capacity provider's MaxVCpuCount)"
                    + " x pool " + settings.poolMaxSize() + ": set MaxExecutionEnvironments", Verdict.VIOLATION));
            return 0;
        }
        int environments = bound.getAsInt();
        int pool = settings.poolMaxSize();
        long connections = (long) environments * pool;
        String fleet = String.format(Locale.ROOT, "%s: %d environments (%s) x pool %d = %d connections", where,
                environments, managed.environmentBoundSource(), pool, connections);
        if (function.target() == FunctionSpec.Target.PROXY) {
            boolean fits = connections <= proxyConnections;
            findings.add(new Finding(Rule.CONNECTION_BUDGET, function.name(), fleet + (fits ? " <= " : " > ")
                    + "the proxy's " + proxyConnections + " database connections" + (fits ? ""
                    : ": a pool beyond " + Math.max(1, proxyConnections / environments) + " only queues at the proxy"
                            + " (up to ConnectionBorrowTimeout) instead of in the pool"),
                    fits ? Verdict.OK : Verdict.VIOLATION));
            return 0;
        }
        findings.add(new Finding(Rule.CONNECTION_BUDGET, function.name(), fleet, Verdict.OK));
        return (int) Math.min(Integer.MAX_VALUE, connections);
    }
}

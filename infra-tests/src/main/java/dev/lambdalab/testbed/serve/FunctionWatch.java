package dev.lambdalab.testbed.serve;

import dev.lambdalab.testbed.lambda.EmulatedFunction;
import dev.lambdalab.testbed.lambda.EnvironmentInfo;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.IntPredicate;

/**
 * What the sampler sees of one user's function each second, kept as peaks for its verdict: environments alive, the
 * connections its environments hold to the database or the proxy (from /proc, so for code the test bed did not
 * write), the most one environment holds, and whether an environment's connections grow with the requests it serves,
 * the sign of a pool built per request.
 */
final class FunctionWatch {

    /** An environment that served this many more requests... */
    static final int GROWTH_MIN_INVOCATIONS = 2;
    /** ...and holds at least this many more connections per request served has a pool per request, or a leak. */
    static final double GROWTH_PER_INVOCATION = 0.5;

    private final IntPredicate databasePorts;
    private final Map<String, int[]> firstSeen = new HashMap<>(); // environment -> {invocations, connections}
    private int connections;
    private int peakConnections;
    private int peakPerEnvironment;
    private int peakEnvironments;
    private boolean growing;

    FunctionWatch(IntPredicate databasePorts) {
        this.databasePorts = databasePorts;
    }

    /** One sample: returns the connections its environments hold now. */
    synchronized int sample(EmulatedFunction function) {
        Map<String, List<Integer>> held = function.connectionsTo(databasePorts);
        Map<String, Integer> invocations = new HashMap<>();
        for (EnvironmentInfo environment : function.environments()) {
            invocations.put(environment.id(), environment.invocations());
        }
        int total = 0;
        for (Map.Entry<String, List<Integer>> environment : held.entrySet()) {
            int count = environment.getValue().size();
            total += count;
            peakPerEnvironment = Math.max(peakPerEnvironment, count);
            if (count == 0) {
                continue; // no baseline yet: a static pool may open its connection after init, while requests run
            }
            int served = invocations.getOrDefault(environment.getKey(), 0);
            int[] first = firstSeen.computeIfAbsent(environment.getKey(), id -> new int[] {served, count});
            int moreServed = served - first[0];
            if (moreServed >= GROWTH_MIN_INVOCATIONS && (count - first[1]) >= GROWTH_PER_INVOCATION * moreServed) {
                growing = true;
            }
        }
        connections = total;
        peakConnections = Math.max(peakConnections, total);
        peakEnvironments = Math.max(peakEnvironments, function.metrics().environmentsAlive());
        return total;
    }

    /** The connections counted at the last sample. */
    synchronized int connections() {
        return connections;
    }

    synchronized int peakConnections() {
        return peakConnections;
    }

    synchronized int peakPerEnvironment() {
        return peakPerEnvironment;
    }

    synchronized int peakEnvironments() {
        return peakEnvironments;
    }

    /** Whether some environment's connections grew with the requests it served. */
    synchronized boolean growing() {
        return growing;
    }
}

package dev.lambdalab.testbed.lambda;

import dev.lambdalab.testbed.lambda.snapstart.Snapshot;
import java.util.List;
import java.util.Optional;

/**
 * A started {@link EmulatedFunction}: its environments and the rules of its execution model for routing
 * synchronous invocations to them. Classic Lambda ({@link FunctionRuntime}) creates an environment per concurrent
 * request and throttles at the concurrency limit; Lambda Managed Instances ({@link ManagedInstancesRuntime}) runs
 * many requests per environment on a fleet started ahead of traffic and scaled asynchronously.
 */
interface RunningFunction extends AutoCloseable {

    /** Routes the event to an environment and waits for its answer; see {@link EmulatedFunction#invoke}. */
    Invocation invoke(Object event);

    /** The SnapStart snapshot, when the function has one. */
    default Optional<Snapshot> snapshot() {
        return Optional.empty();
    }

    FunctionMetrics metrics();

    List<EnvironmentInfo> environments();

    /**
     * Waits, at most {@code timeout}, until no environment is initialising: on Managed Instances the scaler starts
     * them in the background, and a run that counts failed inits must not stop counting while one is under way.
     */
    default void awaitInitsSettled(java.time.Duration timeout) throws InterruptedException {
    }

    /** Discards environments idle past the idle reclaim (classic Lambda; Managed Instances scale in instead). */
    default void reclaimIdle() {
    }

    /** Ends every environment as if its process were killed. */
    @Override
    void close();
}

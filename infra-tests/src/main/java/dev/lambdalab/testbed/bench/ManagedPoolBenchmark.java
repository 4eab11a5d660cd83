package dev.lambdalab.testbed.bench;

import dev.lambdalab.testbed.ExecutionModel;
import dev.lambdalab.testbed.TestBed;
import dev.lambdalab.testbed.Variant;
import dev.lambdalab.testbed.lambda.EmulatedFunction;
import dev.lambdalab.testbed.lambda.ManagedInstances;
import dev.lambdalab.testbed.load.Load;
import dev.lambdalab.testbed.load.LoadDriver;
import dev.lambdalab.testbed.load.LoadResult;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * {@code testbed bench managed}: one Lambda Managed Instances environment of {@code threads} threads, driven by as
 * many callers, each request holding its connection {@code holdMillis}, at each pool size of a sweep; straight to
 * the database, so that the pool is the only queue. Little's law predicts each size: {@code P} connections held
 * {@code S} each serve {@code P / S} requests a second, and {@code N} callers then see {@code N S / P} per request,
 * of which all but {@code S} is the wait for the pool.
 */
public final class ManagedPoolBenchmark {

    /** Enough for the largest pool of the sweep and the harness, within the embedded server's max_connections. */
    public static final int ROLE_LIMIT = 80;

    private ManagedPoolBenchmark() {
    }

    /**
     * One pool size.
     *
     * @param poolSize POOL_MAX_SIZE
     * @param ok requests answered 200
     * @param errors failed requests by cause
     * @param throughputPerSecond requests answered per second
     * @param p50Millis median latency
     * @param p99Millis 99th percentile of latency
     * @param poolWaits requests that waited for the pool (a millisecond or more, or a pool timeout)
     * @param predictedThroughput Little's law: {@code min(P, N) / S}
     * @param predictedLatencyMillis Little's law: {@code N S / min(P, N)}
     */
    public record Step(int poolSize, long ok, Map<String, Long> errors, double throughputPerSecond, double p50Millis,
            double p99Millis, long poolWaits, double predictedThroughput, double predictedLatencyMillis) {
    }

    /** Runs the sweep, each size reported to {@code onStep} as it ends. */
    public static List<Step> sweep(TestBed testBed, int threads, int holdMillis, Duration perSize, List<Integer> sizes,
            Consumer<Step> onStep) throws InterruptedException {
        testBed.lab().setAppConnectionLimit(ROLE_LIMIT);
        List<Step> steps = new ArrayList<>();
        try {
            for (int size : sizes) {
                Step step = one(testBed, threads, holdMillis, perSize, size);
                steps.add(step);
                onStep.accept(step);
                testBed.resetConnections();
            }
            return steps;
        } finally {
            testBed.lab().setAppConnectionLimit(10);
        }
    }

    private static Step one(TestBed testBed, int threads, int holdMillis, Duration perSize, int size)
            throws InterruptedException {
        // A pool timeout far above the longest wait the sweep predicts (a pool of 1: threads x hold), so that every
        // size shows its latency instead of its errors.
        String poolTimeout = Integer.toString(Math.max(3000, 4 * threads * holdMillis));
        try (EmulatedFunction function = testBed.function(Variant.FIXED, ExecutionModel.MANAGED_INSTANCES,
                testBed.environment(null, Map.of("POOL_MAX_SIZE", Integer.toString(size), "POOL_MIN_IDLE",
                        Integer.toString(size), "POOL_TIMEOUT_MS", poolTimeout)))
                .withManagedInstances(ManagedInstances.fixedFleet(1, threads)).withMemoryMb(2048)
                .withTimeout(Duration.ofSeconds(60))) {
            function.publish();
            LoadDriver driver = new LoadDriver(function::invoke, Variant.FIXED.path());
            driver.run(Load.forDuration(threads, Duration.ofSeconds(1), holdMillis)); // warm-up: the pool fills, the JIT
            LoadResult result = driver.run(Load.forDuration(threads, perSize, holdMillis));
            int serving = Math.min(size, threads);
            double seconds = holdMillis / 1000.0;
            return new Step(size, result.ok(), result.errorsByCause(), result.throughputPerSecond(),
                    result.latencyMillis(50), result.latencyMillis(99), result.poolWaits(), serving / seconds,
                    threads * (double) holdMillis / serving);
        }
    }
}

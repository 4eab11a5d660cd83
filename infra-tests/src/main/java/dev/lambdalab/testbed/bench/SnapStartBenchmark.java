package dev.lambdalab.testbed.bench;

import dev.lambdalab.testbed.TestBed;
import dev.lambdalab.testbed.Variant;
import dev.lambdalab.testbed.apigw.HttpApiEvents;
import dev.lambdalab.testbed.lambda.EmulatedFunction;
import dev.lambdalab.testbed.lambda.Invocation;
import dev.lambdalab.testbed.lambda.Isolation;
import dev.lambdalab.testbed.lambda.RestoredCopies;
import dev.lambdalab.testbed.lambda.SnapStart;
import dev.lambdalab.testbed.lambda.process.JvmProfile;
import java.time.Duration;
import java.util.Arrays;
import java.util.Map;

/**
 * Restore Duration against Init Duration, in one run, for the SnapStart-safe fixed handler under the process
 * isolation (fast JVM profile), straight to the database: cold starts one at a time with on-demand init (the
 * peer), then with SnapStart (one snapshot, every cold start a restored copy), then {@code concurrent} copies
 * restored at once, as the reproduce scenarios do.
 */
public final class SnapStartBenchmark {

    /** Reclaim a copy as soon as it answered, so that every measured invocation is a cold start. */
    private static final Duration RECLAIM = Duration.ofMillis(20);

    private SnapStartBenchmark() {
    }

    /** Median and p95 of a sample, in milliseconds. */
    public record Spread(double median, double p95) {
        static Spread of(long[] nanos) {
            long[] sorted = nanos.clone();
            Arrays.sort(sorted);
            return new Spread(Math.round(sorted[sorted.length / 2] / 1e5) / 10.0,
                    Math.round(sorted[Math.min(sorted.length - 1, (int) Math.ceil(sorted.length * 0.95) - 1)] / 1e5) / 10.0);
        }
    }

    /**
     * @param onDemandInit Init Duration of on-demand cold starts (JVM start, runtime, init)
     * @param onDemandFirstAnswer the whole cold invocation, first query included
     * @param snapshotInitMillis the snapshot's Init Duration (init and beforeCheckpoint hooks), once
     * @param restore Restore Duration of copies restored one at a time (restore, runtime, afterRestore hooks)
     * @param restoreFirstAnswer the whole restored cold invocation, first query included
     * @param restoreToInit restore median / init median
     * @param concurrentRestore Restore Duration of {@code concurrent} copies restored at once
     */
    public record Result(int coldStarts, Spread onDemandInit, Spread onDemandFirstAnswer, long snapshotInitMillis,
            long snapshotMb, long dumpMillis, Spread restore, Spread restoreFirstAnswer, double restoreToInit,
            int concurrent, Spread concurrentRestore) {
    }

    public static Result run(TestBed testBed, int coldStarts, int concurrent) throws Exception {
        Isolation before = testBed.isolation();
        testBed.withIsolation(Isolation.PROCESS);
        try {
            long[][] onDemand = sequential(testBed, SnapStart.OFF, coldStarts);
            long[][] restored;
            long snapshotInit;
            long snapshotMb;
            long dump;
            try (EmulatedFunction function = function(testBed, SnapStart.SNAPSHOT)) {
                restored = coldStarts(function, coldStarts);
                snapshotInit = function.snapshotInitDuration().orElseThrow().toMillis();
                RestoredCopies copies = function.restoredCopies().orElseThrow();
                snapshotMb = copies.imageBytes() / 1_000_000;
                dump = copies.dumpDuration().toMillis();
            }
            long[] storm;
            try (EmulatedFunction function = function(testBed, SnapStart.SNAPSHOT).withAccountConcurrency(1000)) {
                Benchmarks.wave(function, concurrent);
                if (function.metrics().coldStarts() != concurrent) {
                    throw new IllegalStateException("only " + function.metrics().coldStarts() + " of " + concurrent
                            + " concurrent restores succeeded");
                }
                storm = new long[] {Math.round(function.metrics().initMillisP50() * 1e6),
                        Math.round(function.metrics().initMillisMax() * 1e6)};
            }
            Spread init = Spread.of(onDemand[0]);
            Spread restore = Spread.of(restored[0]);
            return new Result(coldStarts, init, Spread.of(onDemand[1]), snapshotInit, snapshotMb, dump, restore,
                    Spread.of(restored[1]), Math.round(restore.median() / init.median() * 100) / 100.0, concurrent,
                    new Spread(Math.round(storm[0] / 1e5) / 10.0, Math.round(storm[1] / 1e5) / 10.0));
        } finally {
            testBed.withIsolation(before);
        }
    }

    private static EmulatedFunction function(TestBed testBed, SnapStart mode) {
        return testBed.function(Variant.FIXED_SNAPSTART, testBed.environment(null, Map.of()))
                .withJvmProfile(JvmProfile.FAST).withSnapStart(mode).withIdleReclaim(RECLAIM);
    }

    private static long[][] sequential(TestBed testBed, SnapStart mode, int count) throws InterruptedException {
        try (EmulatedFunction function = function(testBed, mode)) {
            return coldStarts(function, count);
        }
    }

    /** {cold-start duration, whole invocation} per cold start, one at a time, each in a new environment. */
    private static long[][] coldStarts(EmulatedFunction function, int count) throws InterruptedException {
        long[] start = new long[count];
        long[] total = new long[count];
        for (int i = 0; i < count; i++) {
            long begin = System.nanoTime();
            Invocation invocation = function.invoke(HttpApiEvents.get("/fixed", 0));
            total[i] = System.nanoTime() - begin;
            if (!invocation.succeeded() || !invocation.coldStart()) {
                throw new IllegalStateException("cold start " + i + " (" + function.snapStart().label() + ") failed: "
                        + invocation.outcome() + " " + invocation.errorMessage());
            }
            start[i] = invocation.initDuration().toNanos();
            long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
            while (function.metrics().environmentsAlive() > 0) { // reclaimed: the next one is cold again
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("the environment of cold start " + i + " was not reclaimed");
                }
                Thread.sleep(5);
            }
        }
        return new long[][] {start, total};
    }
}

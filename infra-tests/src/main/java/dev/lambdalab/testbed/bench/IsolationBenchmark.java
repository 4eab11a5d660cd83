package dev.lambdalab.testbed.bench;

import dev.lambdalab.testbed.TestBed;
import dev.lambdalab.testbed.Variant;
import dev.lambdalab.testbed.apigw.HttpApiEvents;
import dev.lambdalab.testbed.lambda.EmulatedFunction;
import dev.lambdalab.testbed.lambda.Invocation;
import dev.lambdalab.testbed.lambda.Isolation;
import dev.lambdalab.testbed.lambda.process.JvmProfile;
import dev.lambdalab.testbed.proxy.Proxy;
import dev.lambdalab.testbed.proxy.ProxySettings;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.Map;

/**
 * What the process isolation costs against the class-loader isolation, in one run: cold starts of each (the
 * process one under both JVM profiles), and the memory of frozen process environments, proportional (PSS:
 * pages shared with other JVMs, the JDK's and the archive's, counted once across them) and resident (RSS).
 */
public final class IsolationBenchmark {

    private IsolationBenchmark() {
    }

    /** Median and p95, in milliseconds. */
    public record Spread(double median, double p95) {
    }

    /**
     * The figures.
     *
     * @param classloaderInit Init Duration of a class-loader environment
     * @param lambdaInit Init Duration of a process environment with the managed runtime's flags
     * @param fastInit Init Duration of a process environment with the fast profile
     * @param environments process environments (fast profile) started at once for the memory figures
     * @param pssMbMedian proportional memory of one frozen environment, median
     * @param rssMbMedian resident memory of one frozen environment, median
     * @param fitByPss environments the memory available before would hold: MemAvailable / median PSS
     */
    public record Costs(int coldStarts, Spread classloaderInit, Spread classloaderFirstAnswer, Spread lambdaInit,
            Spread lambdaFirstAnswer, Spread fastInit, Spread fastFirstAnswer, int environments, double startedSeconds,
            long answeredAfterFreeze, double pssMbMedian, long pssMbTotal, double rssMbMedian, long memAvailableBeforeMb,
            long memAvailableAfterMb, long fitByPss) {
    }

    public static Costs run(TestBed testBed, int coldStarts, int environments) throws Exception {
        Isolation before = testBed.isolation();
        try {
            Spread[] classloader = coldStarts(testBed.withIsolation(Isolation.CLASSLOADER), coldStarts, JvmProfile.FAST);
            Spread[] lambda = coldStarts(testBed.withIsolation(Isolation.PROCESS), coldStarts, JvmProfile.LAMBDA);
            Spread[] fast = coldStarts(testBed, coldStarts, JvmProfile.FAST);
            long availableBefore = memAvailableMb();
            ProxySettings proxy = ProxySettings.DEFAULTS.withMaxClientConnections(environments + 50)
                    .withConnectionBorrowTimeout(Duration.ofSeconds(120));
            try (Proxy started = testBed.startProxy(proxy);
                    EmulatedFunction fixed = testBed.function(Variant.FIXED, testBed.environment(started, Map.of(
                            "POOL_TIMEOUT_MS", "120000", "POOL_VALIDATION_TIMEOUT_MS", "100000")))
                            .withJvmProfile(JvmProfile.FAST).withAccountConcurrency(Math.max(1000, environments))
                            .withTimeout(Duration.ofSeconds(300)).withInitTimeout(Duration.ofSeconds(120))) {
                long start = System.nanoTime();
                long failed = Benchmarks.wave(fixed, environments)[1];
                double seconds = (System.nanoTime() - start) / 1e9;
                if (failed > 0) {
                    throw new IllegalStateException(failed + " of " + environments + " process environments failed");
                }
                Thread.sleep(1000); // every environment parked and frozen
                long[] pss = fixed.environments().stream().mapToLong(e -> kb(e.processId(), "smaps_rollup", "Pss:"))
                        .sorted().toArray();
                long[] rss = fixed.environments().stream().mapToLong(e -> kb(e.processId(), "status", "VmRSS:"))
                        .sorted().toArray();
                long availableAfter = memAvailableMb();
                long answered = Benchmarks.wave(fixed, environments)[0]; // all thawed, all must answer 200 again
                double pssMedian = pss[pss.length / 2] / 1024.0;
                return new Costs(coldStarts, classloader[0], classloader[1], lambda[0], lambda[1], fast[0], fast[1],
                        fixed.environments().size(), seconds, answered, Math.round(pssMedian * 10) / 10.0,
                        Arrays.stream(pss).sum() / 1024, Math.round(rss[rss.length / 2] / 102.4) / 10.0, availableBefore,
                        availableAfter, Math.round(availableBefore / pssMedian));
            }
        } finally {
            testBed.withIsolation(before);
        }
    }

    /** {Init Duration, cold answer}, one new function per sample. */
    private static Spread[] coldStarts(TestBed testBed, int count, JvmProfile profile) {
        long[] init = new long[count];
        long[] total = new long[count];
        Map<String, String> environment = testBed.environment(null, Map.of());
        for (int i = 0; i < count; i++) {
            testBed.resetConnections();
            try (EmulatedFunction fixed = testBed.function(Variant.FIXED, environment).withJvmProfile(profile)) {
                long start = System.nanoTime();
                Invocation invocation = fixed.invoke(HttpApiEvents.get("/fixed", 0));
                total[i] = System.nanoTime() - start;
                if (!invocation.succeeded() || !invocation.coldStart()) {
                    throw new IllegalStateException("cold start " + i + " (" + profile.label() + ") failed: "
                            + invocation.outcome() + " " + invocation.errorMessage());
                }
                init[i] = invocation.initDuration().toNanos();
            }
        }
        return new Spread[] {spread(init), spread(total)};
    }

    private static Spread spread(long[] nanos) {
        long[] sorted = nanos.clone();
        Arrays.sort(sorted);
        return new Spread(Math.round(sorted[sorted.length / 2] / 1e5) / 10.0,
                Math.round(sorted[Math.min(sorted.length - 1, (int) Math.ceil(sorted.length * 0.95) - 1)] / 1e5) / 10.0);
    }

    /** A kB figure from /proc/PID/FILE's line starting with {@code key}. */
    private static long kb(long pid, String file, String key) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), file))) {
                if (line.startsWith(key)) {
                    return Long.parseLong(line.replaceAll("[^0-9]", ""));
                }
            }
        } catch (IOException e) {
            throw new IllegalStateException("cannot read /proc/" + pid + "/" + file + ": " + e.getMessage(), e);
        }
        throw new IllegalStateException("no " + key + " in /proc/" + pid + "/" + file);
    }

    private static long memAvailableMb() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/meminfo"))) {
                if (line.startsWith("MemAvailable:")) {
                    return Long.parseLong(line.replaceAll("[^0-9]", "")) / 1024;
                }
            }
        } catch (IOException e) {
            throw new IllegalStateException("cannot read /proc/meminfo: " + e.getMessage(), e);
        }
        throw new IllegalStateException("no MemAvailable in /proc/meminfo");
    }
}

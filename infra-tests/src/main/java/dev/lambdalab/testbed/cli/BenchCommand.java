package dev.lambdalab.testbed.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.lambdalab.testbed.TestBed;
import dev.lambdalab.testbed.bench.Benchmarks;
import dev.lambdalab.testbed.bench.IsolationBenchmark;
import dev.lambdalab.testbed.lambda.process.ProcessRuntime;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** {@code testbed bench}: the performance targets, measured (figures in docs/benchmarks.md). */
@Command(name = "bench", mixinStandardHelpOptions = true,
        description = "Benchmarks of the test bed: emulator overhead, environments per JVM, fixed/proxy throughput,"
                + " isolation costs, the proxies, storms of cold starts, SnapStart's restores, pool sizes on Managed"
                + " Instances.",
        subcommands = {BenchCommand.Overhead.class, BenchCommand.Environments.class, BenchCommand.Throughput.class,
            BenchCommand.IsolationCosts.class, BenchProxyCommand.class,
            BenchStormCommand.class, BenchSnapStartCommand.class, BenchManagedCommand.class})
final class BenchCommand implements Callable<Integer> {

    @Spec
    private CommandSpec spec;

    @Override
    public Integer call() {
        throw new ParameterException(spec.commandLine(), "a benchmark is needed: overhead, environments, throughput,"
                + " isolation, proxy, storm, snapstart or managed");
    }

    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    static void writeJson(Path file, Object result) throws Exception {
        Path parent = file.toAbsolutePath().getParent();
        if (parent != null) {
            Files.createDirectories(parent);
        }
        Files.writeString(file, JSON.writeValueAsString(result));
    }

    static void check(CommandSpec spec, boolean condition, String message) {
        TestBedOptions.require(spec, condition, message);
    }

    @Command(name = "overhead", mixinStandardHelpOptions = true,
            description = "Emulator overhead per warm invocation of a no-op handler (target: median under 50 us).")
    static final class Overhead implements Callable<Integer> {
        @Spec
        private CommandSpec spec;

        @Option(names = "--invocations", paramLabel = "N", defaultValue = "200000",
                description = "Measured invocations after 20000 warm-up ones (1000..10000000, default: ${DEFAULT-VALUE}).")
        private int invocations;

        @Option(names = "--json", paramLabel = "FILE", defaultValue = "reports/bench-overhead.json",
                description = "Write the result here (default: ${DEFAULT-VALUE}).")
        private Path json;

        @Override
        public Integer call() throws Exception {
            check(spec, invocations >= 1000 && invocations <= 10_000_000,
                    "--invocations must be from 1000 to 10000000, got " + invocations);
            Logging.configure(false, json.toAbsolutePath().resolveSibling("testbed.log"));
            Benchmarks.Overhead result = Benchmarks.overhead(invocations);
            PrintWriter out = spec.commandLine().getOut();
            out.printf(Locale.ROOT, "emulator overhead per warm invocation (%d invocations): median %.1f us, p90 %.1f us,"
                    + " p99 %.1f us (the handler called directly: %.0f ns)%n", result.invocations(),
                    result.medianMicros(), result.p90Micros(), result.p99Micros(), result.directCallNanos());
            out.printf(Locale.ROOT, "target: median under 50 us -> %s%n", result.medianMicros() < 50 ? "met" : "NOT met");
            writeJson(json, result);
            return result.medianMicros() < 50 ? 0 : 1;
        }
    }

    @Command(name = "environments", mixinStandardHelpOptions = true,
            description = {"Environments of the fixed handler one JVM holds at once, behind the proxy (target: 1000"
                    + " within a 2 GiB heap).", "Run it with TESTBED_JAVA_OPTS=-Xmx2g so the heap limit is the target's."})
    static final class Environments implements Callable<Integer> {
        @Spec
        private CommandSpec spec;

        @Option(names = "--count", paramLabel = "N", defaultValue = "1000",
                description = "Environments to create (10..5000, default: ${DEFAULT-VALUE}).")
        private int count;

        @Option(names = "--json", paramLabel = "FILE", defaultValue = "reports/bench-environments.json",
                description = "Write the result here (default: ${DEFAULT-VALUE}).")
        private Path json;

        @Override
        public Integer call() throws Exception {
            check(spec, count >= 10 && count <= 5000, "--count must be from 10 to 5000, got " + count);
            Logging.configure(false, json.toAbsolutePath().resolveSibling("testbed.log"));
            try (TestBed testBed = TestBed.embedded(10).closeOnShutdown()) {
                if (!testBed.proxyAvailable()) {
                    throw new IllegalStateException(testBed.proxyUnavailableReason());
                }
                Benchmarks.Environments result = Benchmarks.environments(testBed, count);
                PrintWriter out = spec.commandLine().getOut();
                out.printf(Locale.ROOT, "%d environments of the fixed handler (%d callers at once, twice): %d ok, %d failed;"
                                + " first wave %.1f s; second wave created %d new environments%n", result.environments(),
                        count, result.ok(), result.failed(), result.firstWaveSeconds(), result.secondWaveNewEnvironments());
                out.printf(Locale.ROOT, "heap after GC %d MB of -Xmx %d MB (%d KB per environment), metaspace %d MB,"
                                + " %d threads, %d client connections at the proxy%n", result.heapUsedMb(), result.maxHeapMb(),
                        result.heapPerEnvironmentKb(), result.metaspaceMb(), result.threads(), result.proxyClients());
                boolean met = result.environments() >= count && result.failed() == 0 && result.maxHeapMb() <= 2048;
                out.printf(Locale.ROOT, "target: %d environments, 0 failures, within a 2 GiB heap -> %s%n", count,
                        met ? "met" : result.maxHeapMb() > 2048 ? "run with TESTBED_JAVA_OPTS=-Xmx2g to check it" : "NOT met");
                writeJson(json, result);
                return met ? 0 : 1;
            }
        }
    }

    @Command(name = "throughput", mixinStandardHelpOptions = true,
            description = "The fixed function behind the proxy against its physical limit, database connections / hold"
                    + " time (Little's law; target: at least 80 %, 0 errors).")
    static final class Throughput implements Callable<Integer> {
        @Spec
        private CommandSpec spec;

        @Option(names = "--callers", paramLabel = "N", defaultValue = "50",
                description = "Concurrent callers (1..2000, default: ${DEFAULT-VALUE}).")
        private int callers;

        @Option(names = "--seconds", paramLabel = "S", defaultValue = "15",
                description = "Measured seconds after the warm-up (1..600, default: ${DEFAULT-VALUE}).")
        private int seconds;

        @Option(names = "--hold-ms", paramLabel = "MS", defaultValue = "20",
                description = "How long each request holds its database connection (1..5000, default: ${DEFAULT-VALUE}).")
        private int holdMillis;

        @Option(names = "--json", paramLabel = "FILE", defaultValue = "reports/bench-throughput.json",
                description = "Write the result here (default: ${DEFAULT-VALUE}).")
        private Path json;

        @Override
        public Integer call() throws Exception {
            check(spec, callers >= 1 && callers <= 2000, "--callers must be from 1 to 2000, got " + callers);
            check(spec, seconds >= 1 && seconds <= 600, "--seconds must be from 1 to 600, got " + seconds);
            check(spec, holdMillis >= 1 && holdMillis <= 5000, "--hold-ms must be from 1 to 5000, got " + holdMillis);
            Logging.configure(false, json.toAbsolutePath().resolveSibling("testbed.log"));
            try (TestBed testBed = TestBed.embedded(10).closeOnShutdown()) {
                if (!testBed.proxyAvailable()) {
                    throw new IllegalStateException(testBed.proxyUnavailableReason());
                }
                Benchmarks.Throughput result = Benchmarks.throughput(testBed, callers, Duration.ofSeconds(seconds),
                        holdMillis);
                PrintWriter out = spec.commandLine().getOut();
                out.printf(Locale.ROOT, "fixed/proxy, %d callers, hold %d ms, %d database connections: %.1f req/s of a"
                                + " %.1f req/s limit (%.0f %%); %d ok, %d errors; peak database connections %d;"
                                + " p50 %.1f ms, p99 %.1f ms%n", result.callers(), result.holdMillis(),
                        result.databaseConnections(), result.throughputPerSec(), result.limitPerSec(), result.ratio() * 100,
                        result.ok(), result.errors(), result.peakDbConnections(), result.p50Millis(), result.p99Millis());
                boolean met = result.ratio() >= 0.8 && result.errors() == 0;
                out.printf(Locale.ROOT, "target: at least 80 %% of the limit with 0 errors -> %s%n", met ? "met" : "NOT met");
                writeJson(json, result);
                return met ? 0 : 1;
            }
        }
    }

    @Command(name = "isolation", mixinStandardHelpOptions = true,
            description = {"What the process isolation costs: cold starts of class-loader and process environments"
                    + " (median and p95; the process ones under both JVM profiles), proportional and resident memory per"
                    + " frozen process environment, and how many fit in this machine's memory.", "Linux only."})
    static final class IsolationCosts implements Callable<Integer> {
        @Spec
        private CommandSpec spec;

        @Option(names = "--cold-starts", paramLabel = "N", defaultValue = "20",
                description = "Cold starts measured per isolation, one at a time (5..500, default: ${DEFAULT-VALUE}).")
        private int coldStarts;

        @Option(names = "--environments", paramLabel = "N", defaultValue = "100",
                description = "Process environments started at once for the memory figures (2..1000, default:"
                        + " ${DEFAULT-VALUE}).")
        private int environments;

        @Option(names = "--json", paramLabel = "FILE", defaultValue = "reports/bench-isolation.json",
                description = "Write the result here (default: ${DEFAULT-VALUE}).")
        private Path json;

        @Override
        public Integer call() throws Exception {
            check(spec, coldStarts >= 5 && coldStarts <= 500, "--cold-starts must be from 5 to 500, got " + coldStarts);
            check(spec, environments >= 2 && environments <= 1000,
                    "--environments must be from 2 to 1000, got " + environments);
            ProcessRuntime.unavailableReason().ifPresent(reason -> check(spec, false, "process isolation: " + reason));
            Logging.configure(false, json.toAbsolutePath().resolveSibling("testbed.log"));
            try (TestBed testBed = TestBed.embedded(10).closeOnShutdown()) {
                if (!testBed.proxyAvailable()) {
                    throw new IllegalStateException(testBed.proxyUnavailableReason());
                }
                IsolationBenchmark.Costs r = IsolationBenchmark.run(testBed, coldStarts, environments);
                PrintWriter out = spec.commandLine().getOut();
                out.printf(Locale.ROOT, "Init Duration of the fixed handler, %d cold starts each (median, p95): class"
                                + " loader %.1f ms (%.1f); process, lambda profile %.1f ms (%.1f); process, fast profile"
                                + " %.1f ms (%.1f) = %.2f x the lambda profile's%n", r.coldStarts(),
                        r.classloaderInit().median(), r.classloaderInit().p95(), r.lambdaInit().median(),
                        r.lambdaInit().p95(), r.fastInit().median(), r.fastInit().p95(),
                        r.fastInit().median() / r.lambdaInit().median());
                out.printf(Locale.ROOT, "cold answer (median): class loader %.1f ms, lambda %.1f ms, fast %.1f ms%n",
                        r.classloaderFirstAnswer().median(), r.lambdaFirstAnswer().median(),
                        r.fastFirstAnswer().median());
                out.printf(Locale.ROOT, "%d process environments (fast profile) started at once, all answered after"
                                + " %.1f s, frozen: PSS %.1f MB each (median), %d MB together; RSS %.1f MB each;"
                                + " MemAvailable %d MB before, %d MB after; %d answered again after the freeze; about %d"
                                + " would fit in the memory available before, by PSS%n", r.environments(),
                        r.startedSeconds(), r.pssMbMedian(), r.pssMbTotal(), r.rssMbMedian(), r.memAvailableBeforeMb(),
                        r.memAvailableAfterMb(), r.answeredAfterFreeze(), r.fitByPss());
                writeJson(json, r);
                return 0;
            }
        }
    }
}

package dev.lambdalab.testbed.cli;

import dev.lambdalab.testbed.TestBed;
import dev.lambdalab.testbed.bench.ManagedPoolBenchmark;
import dev.lambdalab.testbed.bench.ManagedPoolBenchmark.Step;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code testbed bench managed}: pool sizes on one Lambda Managed Instances environment, against Little's law. */
@Command(name = "managed", mixinStandardHelpOptions = true,
        description = {"One Lambda Managed Instances environment of --threads threads running the fixed handler, driven"
                + " by as many callers, each request holding its connection --hold-ms, straight to the database: at"
                + " each pool size of --pool-sizes, the throughput, the latency and the pool waits measured beside what"
                + " Little's law predicts (min(pool, threads) / hold requests a second)."})
final class BenchManagedCommand implements Callable<Integer> {

    /** What the benchmark writes to its JSON file. */
    record Report(int threads, int holdMillis, long secondsPerSize, String isolation, List<Step> steps) {
    }

    @Spec
    private CommandSpec spec;

    @Option(names = "--pool-sizes", paramLabel = "N[,N...]", split = ",", defaultValue = "1,2,4,8,16,32",
            description = "POOL_MAX_SIZE values to measure (each 1..64; default: ${DEFAULT-VALUE}).")
    private List<Integer> poolSizes;

    @Option(names = "--threads", paramLabel = "N", defaultValue = "32",
            description = "PerExecutionEnvironmentMaxConcurrency, and the callers (1..64; default: ${DEFAULT-VALUE}, the"
                    + " Java runtime's default for one vCPU).")
    private int threads;

    @Option(names = "--hold-ms", paramLabel = "MS", defaultValue = "50",
            description = "How long each request holds its connection (1..1000; default: ${DEFAULT-VALUE}).")
    private int holdMillis;

    @Option(names = "--seconds", paramLabel = "S", defaultValue = "5",
            description = "Seconds measured per pool size, after a second of warm-up (1..120; default: ${DEFAULT-VALUE}).")
    private int seconds;

    @Option(names = "--json", paramLabel = "FILE", defaultValue = "reports/bench-managed.json",
            description = "Write the result here (default: ${DEFAULT-VALUE}).")
    private Path json;

    @Mixin
    private TestBedOptions database;

    @Mixin
    private TemplateValuesOptions template;

    @Override
    public Integer call() throws Exception {
        for (int size : poolSizes) {
            BenchCommand.check(spec, size >= 1 && size <= 64, "--pool-sizes must each be from 1 to 64, got " + size);
        }
        BenchCommand.check(spec, threads >= 1 && threads <= 64, "--threads must be from 1 to 64, got " + threads);
        BenchCommand.check(spec, holdMillis >= 1 && holdMillis <= 1000, "--hold-ms must be from 1 to 1000, got "
                + holdMillis);
        BenchCommand.check(spec, seconds >= 1 && seconds <= 120, "--seconds must be from 1 to 120, got " + seconds);
        database.validate(spec);
        template.validate(spec);
        Logging.configure(false, json.toAbsolutePath().resolveSibling("testbed.log"));
        PrintWriter out = spec.commandLine().getOut();
        try (TestBed testBed = template.applyTo(database.open(ManagedPoolBenchmark.ROLE_LIMIT))) {
            out.printf(Locale.ROOT, "one Managed Instances environment, %d threads, %d callers, hold %d ms, straight to"
                    + " the database; %s isolation; %d s per size%n", threads, threads, holdMillis,
                    testBed.isolation().label(), seconds);
            String row = "%-5s  %8s  %12s  %10s  %10s  %10s  %10s  %s%n";
            out.printf(Locale.ROOT, row, "POOL", "REQ/S", "LITTLE REQ/S", "P50 MS", "LITTLE MS", "P99 MS", "POOL WAITS",
                    "ERRORS");
            List<Step> steps = ManagedPoolBenchmark.sweep(testBed, threads, holdMillis, Duration.ofSeconds(seconds),
                    poolSizes, step -> out.printf(Locale.ROOT, row, step.poolSize(),
                            String.format(Locale.ROOT, "%.0f", step.throughputPerSecond()),
                            String.format(Locale.ROOT, "%.0f", step.predictedThroughput()),
                            String.format(Locale.ROOT, "%.0f", step.p50Millis()),
                            String.format(Locale.ROOT, "%.0f", step.predictedLatencyMillis()),
                            String.format(Locale.ROOT, "%.0f", step.p99Millis()), step.poolWaits(),
                            step.errors().isEmpty() ? "0" : step.errors().toString()));
            BenchCommand.writeJson(json, new Report(threads, holdMillis, seconds, testBed.isolation().label(), steps));
            out.println("Report: " + json);
            return steps.stream().allMatch(step -> step.errors().isEmpty()) ? 0 : 1;
        }
    }
}
